internal import AsyncHTTPClient
import Foundation
public import HealthrunCore
import HealthrunReporters
public import Logging
internal import NIOCore
internal import NIOHTTP1

/// A notice with the id it keeps until it is delivered: the outbox row's key, and the webhook
/// message's `id` so a receiver can drop a retried duplicate.
public struct AlertEnvelope: Sendable, Hashable, Codable {
    public var id: String
    public var notice: AlertNotice

    public init(id: String? = nil, notice: AlertNotice) {
        self.id = id ?? UUID().uuidString
        self.notice = notice
    }
}

/// Where notices wait until delivered, across restarts: an alert counts as sent only once a
/// channel took it.
protocol AlertOutbox: Sendable {
    /// A notice is queued for `channel`.
    func keep(_ envelope: AlertEnvelope, channel: String)
    /// Notices are delivered, replaced by newer ones, or given up on.
    func forget(_ ids: [String], channel: String)
}

/// What dispatchers did, for `/metrics`; one per runtime, so a reload does not zero it.
public struct AlertCounters: Sendable, Hashable {
    /// Messages delivered.
    public var sent = 0
    /// Messages given up on (every retry failed, or a request whose fate is unknown on a
    /// channel that cannot tell a duplicate).
    public var failed = 0
    /// Attempts that failed and were retried.
    public var retries = 0
    /// Notices dropped because a newer one about the same check replaced them before delivery.
    public var coalesced = 0

    public init() {}
}

/// Sends alert notices. Each channel has its own queue and its own sender, so a slow webhook
/// never delays Telegram. A queue keeps at most the last two notices per check (and metric) — a
/// DOWN and the UP after it — so a receiver that was unreachable for an hour gets the current
/// state, not an hour of stale messages. Notices that arrive within a short window go out as
/// one message. Nothing here blocks the scheduler: `enqueue` only appends.
public final class AlertDispatcher: Sendable {
    private let configuration: AlertingConfiguration
    private let redactor: Redactor
    private let logger: Logger
    private let window: Duration
    private let backoff: Duration
    private let attempts: Int
    private let requestTimeout: TimeAmount
    private let client: HTTPClient
    private let outbox: (any AlertOutbox)?
    private let counters: Locked<AlertCounters>
    private let queues: [String: ChannelQueue]
    private let workers = Locked<[Task<Void, Never>]>([])
    private let flushing = Locked(false)

    /// Creates a dispatcher and starts a sender per channel.
    /// - Parameters:
    ///   - window: notices within this time of the first go out as one message.
    ///   - backoff: the first retry's delay, doubled for each next one.
    ///   - attempts: tries per message.
    public convenience init(
        configuration: AlertingConfiguration, redactor: Redactor, logger: Logger, window: Duration = .seconds(3),
        backoff: Duration = .seconds(1), attempts: Int = 5
    ) {
        self.init(
            configuration: configuration, redactor: redactor, logger: logger, window: window, backoff: backoff,
            attempts: attempts, requestTimeout: .seconds(10), outbox: nil, counters: Locked(AlertCounters()))
    }

    init(
        configuration: AlertingConfiguration, redactor: Redactor, logger: Logger, window: Duration,
        backoff: Duration, attempts: Int, requestTimeout: Duration, outbox: (any AlertOutbox)?,
        counters: Locked<AlertCounters>
    ) {
        self.requestTimeout = TimeAmount.nanoseconds(
            requestTimeout.components.seconds * 1_000_000_000 + requestTimeout.components.attoseconds / 1_000_000_000)
        self.configuration = configuration
        self.redactor = redactor
        self.logger = logger
        self.window = window
        self.backoff = backoff
        self.attempts = attempts
        self.outbox = outbox
        self.counters = counters
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout = .init(connect: .seconds(5), read: self.requestTimeout)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        queues = Dictionary(uniqueKeysWithValues: configuration.channelNames.map { ($0, ChannelQueue(name: $0)) })
        let started = queues.values.map { queue in Task { await self.send(from: queue) } }
        workers.withLock { $0 = started }
    }

    /// What was sent and what failed so far.
    public var currentCounters: AlertCounters { counters.withLock { $0 } }

    /// Queues a notice for each of its channels (all channels when it names none).
    public func enqueue(_ notice: AlertNotice) {
        enqueue(AlertEnvelope(notice: notice), keep: true)
    }

    /// Queues an envelope; `keep` records it in the outbox (false for one read from it).
    func enqueue(_ envelope: AlertEnvelope, keep: Bool, channels only: Set<String>? = nil) {
        for (name, queue) in queues {
            guard envelope.notice.channels.isEmpty || envelope.notice.channels.contains(name),
                only?.contains(name) ?? true
            else { continue }
            if keep { outbox?.keep(envelope, channel: name) }
            let replaced = queue.add(envelope)
            if !replaced.isEmpty {
                counters.withLock { $0.coalesced += replaced.count }
                outbox?.forget(replaced, channel: name)
            }
        }
    }

    /// Sends what is queued now, without waiting out the window, and returns once every queue
    /// is empty.
    public func flush() async {
        flushing.withLock { $0 = true }
        defer { flushing.withLock { $0 = false } }
        for queue in queues.values { queue.wake() }
        while queues.values.contains(where: { $0.isBusy }) {
            try? await Task.sleep(for: .milliseconds(20))
            if Task.isCancelled { return }
        }
    }

    /// Sends what is queued for at most `limit` (retries included), then stops every sender:
    /// a request in flight is cancelled and what was not delivered stays in the outbox, to be
    /// sent after a restart. Closes the HTTP client.
    public func stop(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        flushing.withLock { $0 = true }
        for queue in queues.values { queue.wake() }
        while queues.values.contains(where: { $0.isBusy }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let running = workers.withLock { $0 }
        for worker in running { worker.cancel() }
        for worker in running { await worker.value }
        try? await client.shutdown()
    }

    /// One channel's sender: waits for notices, lets a window of them gather, sends them as one
    /// message, and again.
    private func send(from queue: ChannelQueue) async {
        for await _ in queue.signals {
            // The window, cut short by a flush.
            let gathered = ContinuousClock.now + window
            while ContinuousClock.now < gathered, !flushing.withLock({ $0 }), !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(min(50, window.wholeMilliseconds)))
            }
            while !Task.isCancelled {
                let batch = queue.take()
                if batch.isEmpty { break }
                await deliver(batch, to: queue.name)
            }
            queue.idle()
            if Task.isCancelled { return }
        }
    }

    /// Sends one message with retries. Cancelled (shutdown), it leaves the notices in the outbox.
    private func deliver(_ batch: [AlertEnvelope], to channel: String) async {
        let notices = batch.map(\.notice)
        let ids = batch.map(\.id)
        // The same id on every retry: the webhook's receiver can tell a duplicate.
        let messageID = batch.count == 1 ? batch[0].id : UUID().uuidString
        let text = AlertNotice.text(for: notices)
        var delay = backoff
        for attempt in 1...attempts {
            do {
                switch channel {
                case "telegram": try await sendTelegram(text)
                default: try await sendWebhook(notices, id: messageID, text: text)
                }
                counters.withLock { $0.sent += 1 }
                outbox?.forget(ids, channel: channel)
                logger.info("sent \(channel) alert (\(notices.count) change\(notices.count == 1 ? "" : "s"))")
                return
            } catch {
                if Task.isCancelled { return }
                let message = (error as? DeliveryError)?.message ?? "\(error)"
                logger.warning(
                    "alert delivery failed",
                    metadata: [
                        "channel": "\(channel)", "attempt": "\(attempt)", "error": "\(redactor.redact(message))",
                    ])
                if let retryAfter = (error as? DeliveryError)?.retryAfter { delay = max(delay, retryAfter) }
                // Telegram cannot tell a duplicate: a request that may have arrived is not sent again.
                if channel == "telegram", Self.mayHaveArrived(error) {
                    logger.warning(
                        "alert not retried: Telegram may have received it and would show it twice",
                        metadata: ["channel": "\(channel)"])
                    break
                }
            }
            guard attempt < attempts else { break }
            counters.withLock { $0.retries += 1 }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            delay *= 2
        }
        counters.withLock { $0.failed += 1 }
        outbox?.forget(ids, channel: channel)
    }

    /// Whether a failed request may have reached the receiver: it was sent and no answer came
    /// (a timeout, a connection closed mid-answer). A refused connection or an HTTP error
    /// status says it did not, or that the receiver refused it.
    static func mayHaveArrived(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        return [.deadlineExceeded, .readTimeout, .remoteConnectionClosed, .writeTimeout].contains(error)
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

    private func sendWebhook(_ notices: [AlertNotice], id: String, text: String) async throws {
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
            ("alerts", .array(alerts)), ("id", .string(id)), ("source", .string("healthrun")), ("text", .string(text)),
        ])
        .compact()
        let (status, _) = try await post(
            url: webhook.url, headers: webhook.headers.fields + [("Idempotency-Key", id)], body: body)
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
        let response = try await client.execute(request, timeout: requestTimeout)
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
