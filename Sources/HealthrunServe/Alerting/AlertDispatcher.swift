internal import AsyncHTTPClient
import Foundation
public import HealthrunCore
import HealthrunReporters
public import Logging
internal import NIOCore
internal import NIOHTTP1

/// Sends alert notices: collects those that arrive within a short window into one message per
/// channel, sends in the background with retries and backoff, and counts what it did. Nothing
/// here blocks the scheduler: `enqueue` only appends.
public final class AlertDispatcher: Sendable {
    /// What the dispatcher did, for `/metrics`.
    public struct Counters: Sendable, Hashable {
        /// Messages delivered.
        public var sent = 0
        /// Messages given up on after every retry.
        public var failed = 0
        /// Attempts that failed and were retried.
        public var retries = 0
    }

    private let configuration: AlertingConfiguration
    private let redactor: Redactor
    private let logger: Logger
    private let window: Duration
    private let backoff: Duration
    private let attempts: Int
    private let client: HTTPClient
    /// Pending notices, whether a flush is scheduled, counters, and the last delivery: each
    /// delivery waits for the one before, so a channel never sees an UP before its DOWN (for
    /// Alertmanager that would leave a resolved alert firing).
    private let state = Locked<
        (pending: [AlertNotice], flushScheduled: Bool, counters: Counters, tail: Task<Void, Never>?)
    >(([], false, Counters(), nil))

    /// Creates a dispatcher.
    /// - Parameters:
    ///   - window: notices within this time of the first go out as one message.
    ///   - backoff: the first retry's delay, doubled for each next one.
    ///   - attempts: tries per message.
    public init(
        configuration: AlertingConfiguration, redactor: Redactor, logger: Logger, window: Duration = .seconds(3),
        backoff: Duration = .seconds(1), attempts: Int = 5
    ) {
        self.configuration = configuration
        self.redactor = redactor
        self.logger = logger
        self.window = window
        self.backoff = backoff
        self.attempts = attempts
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    /// What was sent and what failed so far.
    public var counters: Counters { state.withLock { $0.counters } }

    /// Queues a notice; the first of a window schedules the send.
    public func enqueue(_ notice: AlertNotice) {
        let schedule = state.withLock { state -> Bool in
            state.pending.append(notice)
            if state.flushScheduled { return false }
            state.flushScheduled = true
            return true
        }
        guard schedule else { return }
        Task {
            try? await Task.sleep(for: window)
            await flush()
        }
    }

    /// Sends what is pending now, after every earlier delivery (also called at shutdown).
    public func flush() async {
        let delivery = state.withLock { state -> Task<Void, Never> in
            let notices = state.pending
            state.pending = []
            state.flushScheduled = false
            let previous = state.tail
            let delivery = Task {
                await previous?.value
                await self.deliver(notices)
            }
            state.tail = delivery
            return delivery
        }
        await delivery.value
    }

    private func deliver(_ notices: [AlertNotice]) async {
        guard !notices.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for channel in configuration.channelNames {
                let mine = notices.filter { $0.channels.isEmpty || $0.channels.contains(channel) }
                guard !mine.isEmpty else { continue }
                group.addTask { await self.deliver(mine, to: channel) }
            }
        }
    }

    /// Closes the HTTP client.
    public func shutdown() async {
        try? await client.shutdown()
    }

    private func deliver(_ notices: [AlertNotice], to channel: String) async {
        let text = AlertNotice.text(for: notices)
        var delay = backoff
        for attempt in 1...attempts {
            do {
                switch channel {
                case "telegram": try await sendTelegram(text)
                default: try await sendWebhook(notices, text: text)
                }
                state.withLock { $0.counters.sent += 1 }
                return
            } catch let error as DeliveryError {
                logger.warning(
                    "alert delivery failed",
                    metadata: [
                        "channel": "\(channel)", "attempt": "\(attempt)", "error": "\(redactor.redact(error.message))",
                    ])
                if let retryAfter = error.retryAfter { delay = max(delay, retryAfter) }
            } catch {
                logger.warning(
                    "alert delivery failed",
                    metadata: [
                        "channel": "\(channel)", "attempt": "\(attempt)", "error": "\(redactor.redact("\(error)"))",
                    ])
            }
            guard attempt < attempts else { break }
            state.withLock { $0.counters.retries += 1 }
            try? await Task.sleep(for: delay)
            delay *= 2
        }
        state.withLock { $0.counters.failed += 1 }
    }

    struct DeliveryError: Error {
        var message: String
        var retryAfter: Duration?
    }

    private func sendTelegram(_ text: String) async throws {
        guard let telegram = configuration.telegram else { return }
        let body = JSONText.object([
            ("chat_id", .string(telegram.chatID)), ("disable_web_page_preview", .bool(true)), ("text", .string(text)),
        ]).compact()
        let url = "\(telegram.apiURL)/bot\(telegram.token.revealed())/sendMessage"
        let (status, reply) = try await post(url: url, headers: [], body: body)
        let object = (try? JSONSerialization.jsonObject(with: reply)) as? [String: Any]
        if status == 200, object?["ok"] as? Bool == true { return }
        let description = object?["description"] as? String ?? "HTTP \(status)"
        let retryAfter = ((object?["parameters"] as? [String: Any])?["retry_after"] as? Int).map {
            Duration.seconds($0)
        }
        throw DeliveryError(message: "Telegram answered \(status): \(description)", retryAfter: retryAfter)
    }

    private func sendWebhook(_ notices: [AlertNotice], text: String) async throws {
        guard let webhook = configuration.webhook else { return }
        if webhook.format == .alertmanager {
            let body = JSONText.array(notices.map(Self.alertmanagerAlert)).compact()
            let (status, _) = try await post(url: webhook.url, headers: webhook.headers.fields, body: body)
            guard (200..<300).contains(status) else {
                throw DeliveryError(message: "Alertmanager answered HTTP \(status)", retryAfter: nil)
            }
            return
        }
        let alerts = notices.map { notice -> JSONText in
            var alert: [(String, JSONText)] = [
                ("at", .string(Timestamp.iso8601(unixMilliseconds: notice.at))), ("check", .string(notice.check)),
            ]
            if let metric = notice.metric {
                alert += [("metric", .string(metric)), ("level", .string(notice.level.rawValue))]
            }
            switch notice.notice {
            case .down(let message), .reminder(let message, _), .settled(_, let message):
                alert.append(("message", .string(message)))
            case .up(let ms): alert.insert(("down_for_ms", .integer(Int(ms))), at: 1)
            case .flapping: break
            }
            alert += [("state", .string(notice.state)), ("text", .string(notice.line))]
            return .object(alert)
        }
        let body = JSONText.object([
            ("alerts", .array(alerts)), ("source", .string("healthrun")), ("text", .string(text)),
        ])
        .compact()
        let (status, _) = try await post(url: webhook.url, headers: webhook.headers.fields, body: body)
        guard (200..<300).contains(status) else {
            throw DeliveryError(message: "webhook answered HTTP \(status)", retryAfter: nil)
        }
    }

    private func post(url: String, headers: [(name: String, value: String)], body: String) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "healthrun/\(healthrunVersion)")
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        let reply = try await response.body.collect(upTo: 64 * 1024)
        return (Int(response.status.code), Data(reply.readableBytesView))
    }

    /// One alert in Alertmanager's API v2 shape: DOWN and reminders fire `HealthrunCheckDown`,
    /// UP resolves it (with `endsAt`), flapping fires `HealthrunCheckFlapping`. A metric's breach
    /// fires `HealthrunThresholdBreached` with a `metric` label (one alert per check and metric;
    /// the level is in the `severity` annotation, so a warn that becomes a fail stays one alert).
    static func alertmanagerAlert(_ notice: AlertNotice) -> JSONText {
        func time(_ ms: Int64) -> JSONText { .string(Timestamp.iso8601(unixMilliseconds: ms)) }
        var alertName = notice.metric == nil ? "HealthrunCheckDown" : "HealthrunThresholdBreached"
        var startsAt = notice.at
        var endsAt: Int64?
        var description = ""
        switch notice.notice {
        case .down(let message), .reminder(let message, _), .settled(true, let message):
            description = message
        case .up(let ms):
            startsAt = notice.at - ms
            endsAt = notice.at
        case .settled(false, _):
            endsAt = notice.at
        case .flapping:
            alertName = notice.metric == nil ? "HealthrunCheckFlapping" : "HealthrunThresholdFlapping"
        }
        var annotations: [(String, JSONText)] = [("description", .string(description))]
        if notice.metric != nil { annotations.append(("severity", .string(notice.level.rawValue))) }
        annotations.append(("summary", .string(notice.line)))
        var alert: [(String, JSONText)] = [("annotations", .object(annotations))]
        if let endsAt { alert.append(("endsAt", time(endsAt))) }
        var labels: [(String, JSONText)] = [("alertname", .string(alertName)), ("check", .string(notice.check))]
        if let metric = notice.metric { labels.append(("metric", .string(metric))) }
        labels.append(("source", .string("healthrun")))
        alert += [
            ("labels", .object(labels)),
            ("startsAt", time(startsAt)),
        ]
        return .object(alert)
    }
}
