import AsyncHTTPClient
import Foundation
public import HealthrunCore
import NIOCore
import NIOHTTP1
import NIOSSL

/// `type: completion` — the inference canary: asks the model for one word, streamed by default,
/// and judges the answer. A static `/health` on a proxy proves the proxy runs; this proves the
/// model answers, and measures the time to its first token and the headroom the provider reports.
public struct CompletionChecker: Checker {
    public static let typeName = "completion"
    /// SwiftNIO only: never blocks a thread.
    public static let mayBlock = false
    /// Every run spends tokens: serve runs a canary every 5 minutes unless its `interval` says.
    public static let defaultInterval: Duration? = .seconds(300)

    /// The fields of a completion check.
    public struct Configuration: Decodable, Sendable {
        public var provider: ModelProvider?
        public var url: String?
        public var apiKey: Secret?
        public var auth: ModelsAuth?
        public var authKey: Secret?
        public var scope: String?
        public var tokenURL: String?
        public var headers: HeaderFields?
        public var tls: TLSOptions?
        public var model: String?
        public var prompt: String?
        public var expect: Expectation?
        public var maxTokens: Int?
        public var stream: Bool?
        public var body: [String: DetailValue]?

        /// `expect:` of a completion check.
        public struct Expectation: Decodable, Sendable {
            /// Text the answer must contain, case-insensitively.
            public var contains: String?
        }

        enum CodingKeys: String, CodingKey {
            case provider, url
            case apiKey = "api_key"
            case auth
            case authKey = "auth_key"
            case scope
            case tokenURL = "token_url"
            case headers, tls, model, prompt, expect
            case maxTokens = "max_tokens"
            case stream, body
        }
    }

    static let defaultPrompt = "Reply with the single word: pong"
    /// A stream longer than this is not a one-word answer; reading stops there.
    static let maximumStreamBytes = 1 << 20
    static let maximumErrorBody = 64 << 10

    let provider: ModelProvider
    let url: String
    let authorization: ProviderAuthorization
    let extraHeaders: [(name: String, value: String)]
    let tlsConfiguration: TLSConfiguration?
    let model: String
    let prompt: String
    let expected: String?
    let maxTokens: Int
    let stream: Bool
    let extraBody: [String: DetailValue]
    let http: HTTPClientProvider

    public var target: String? { TargetText.url(url) }

    public var metricNames: [String]? {
        ["ttft_ms", "input_tokens", "output_tokens", "output_tokens_per_s"] + RateLimitHeaders.metricNames
    }

    /// Validates the configuration.
    public init(configuration: Configuration, provider http: HTTPClientProvider) throws {
        guard let provider = configuration.provider, provider != .generic else {
            throw ConfigValueError(
                configuration.provider == nil
                    ? "a completion check needs 'provider'" : "a completion check speaks anthropic, openai or gigachat",
                field: ["provider"],
                hint: "provider: anthropic, openai (also for OpenAI-compatible proxies) or gigachat")
        }
        let defaultURL =
            switch provider {
            case .anthropic: "https://api.anthropic.com/v1/messages"
            case .gigachat: "https://gigachat.devices.sberbank.ru/api/v1/chat/completions"
            default: "https://api.openai.com/v1/chat/completions"
            }
        let url = configuration.url ?? defaultURL
        _ = try HTTPFetcher.validateURL(url, field: ["url"])
        guard let model = configuration.model, !model.isEmpty else {
            throw ConfigValueError(
                "a completion check needs 'model'", hint: "model: ${CLAUDE_CODE_DEFAULT_MODEL:-sonnet}")
        }
        let maxTokens = configuration.maxTokens ?? 16
        guard maxTokens >= 2 else {
            throw ConfigValueError(
                "max_tokens must be 2 or more", field: ["max_tokens"],
                hint: "reasoning models reject 1; the default, 16, fits a one-word answer")
        }
        let prompt = configuration.prompt ?? Self.defaultPrompt
        guard !prompt.isEmpty else { throw ConfigValueError("prompt is empty", field: ["prompt"]) }
        if let contains = configuration.expect?.contains, contains.isEmpty {
            throw ConfigValueError("expect.contains is empty", field: ["expect", "contains"])
        }
        self.provider = provider
        self.url = url
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.http = http
        expected = configuration.expect?.contains ?? (configuration.prompt == nil ? "pong" : nil)
        stream = configuration.stream ?? true
        extraBody = configuration.body ?? [:]
        extraHeaders = configuration.headers?.fields ?? []
        tlsConfiguration = try configuration.tls?.makeConfiguration()
        authorization = try ProviderAuthorization(
            apiKey: configuration.apiKey, auth: configuration.auth, authKey: configuration.authKey,
            scope: configuration.scope, tokenURL: configuration.tokenURL, provider: provider,
            checkType: "completion")
    }

    /// The request JSON; `tokensField` is where `max_tokens` goes.
    func requestBody(tokensField: String) -> [UInt8] {
        var fields: [(String, JSONText)] = [
            ("model", .string(model)),
            ("messages", .array([.object([("role", .string("user")), ("content", .string(prompt))])])),
            (tokensField, .integer(maxTokens)), ("stream", .bool(stream)),
        ]
        if stream, provider == .openai {
            fields.append(("stream_options", .object([("include_usage", .bool(true))])))
        }
        for (key, value) in extraBody.sorted(by: { $0.key < $1.key }) {
            fields.removeAll { $0.0 == key }
            fields.append((key, JSONText(value)))
        }
        return Array(JSONText.object(fields).compact().utf8)
    }

    var tokensField: String { provider == .openai ? "max_completion_tokens" : "max_tokens" }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let client = http.client
        var headers = try await authorization.headers(
            with: extraHeaders, client: client, tls: tlsConfiguration, context: context)
        headers += [
            ("Content-Type", "application/json"), ("Accept", stream ? "text/event-stream" : "application/json"),
        ]
        var exchange = try await send(requestBody(tokensField: tokensField), headers: headers, context: context)
        var notes: [String: DetailValue] = [:]
        // OpenAI-compatible proxies that predate max_completion_tokens reject it: once more with max_tokens.
        if provider == .openai, exchange.status == 400 {
            let first = ProviderError.message(in: exchange.errorBody) ?? ""
            exchange = try await send(requestBody(tokensField: "max_tokens"), headers: headers, context: context)
            notes["max_tokens_field"] = .string(
                "the endpoint rejected max_completion_tokens (\(first)); sent max_tokens")
        }
        return judge(exchange, notes: notes)
    }

    /// One request and its answer, read as it streams.
    struct Exchange {
        var status: Int
        var reason: String
        var headers: HTTPHeaders
        var sentAt: ContinuousClock.Instant
        var answer = CompletionAnswer()
        var errorBody: [UInt8] = []
        /// Why the stream stopped before its end (a reset, a cap), if it did.
        var broken: String?
    }

    private func send(_ body: [UInt8], headers: [(name: String, value: String)], context: CheckContext) async throws
        -> Exchange
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(body)
        request.tlsConfiguration = tlsConfiguration
        let target = HTTPFetcher.Target(url)
        let place = "\(target.host):\(target.port)"
        context.progress.waiting(for: "no answer from \(place)")
        let sentAt = ContinuousClock.now
        let response: HTTPClientResponse
        do {
            let remaining = max(.zero, ContinuousClock.now.duration(to: context.ioDeadline))
            response = try await http.client.execute(
                request, deadline: .now() + .nanoseconds(remaining.wholeNanoseconds))
        } catch {
            throw CheckFailure(NetworkErrors.describe(error, host: target.host, port: target.port))
        }
        var exchange = Exchange(
            status: Int(response.status.code), reason: response.status.reasonPhrase, headers: response.headers,
            sentAt: sentAt)
        let statusLine = "\(exchange.status) \(exchange.reason)"
        var received = 0
        var parser = EventStreamParser()
        var whole: [UInt8] = []
        let streaming =
            exchange.status == 200
            && (response.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") ?? false)
        let cap = exchange.status == 200 ? Self.maximumStreamBytes : Self.maximumErrorBody
        do {
            for try await chunk in response.body {
                received += chunk.readableBytes
                if streaming {
                    let now = ContinuousClock.now
                    for event in parser.feed(chunk.readableBytesView) {
                        if provider == .anthropic {
                            exchange.answer.applyAnthropic(event, at: now)
                        } else {
                            exchange.answer.applyOpenAI(event, at: now)
                        }
                    }
                    context.progress.waiting(
                        for:
                            "\(statusLine) from \(place), then the stream stalled after \(exchange.answer.events) events"
                    )
                    if exchange.answer.finished || exchange.answer.error != nil { break }
                } else {
                    whole += chunk.readableBytesView.prefix(cap - whole.count)
                    context.progress.waiting(for: "\(statusLine) from \(place), then the body did not finish")
                }
                if received > cap {
                    exchange.broken =
                        streaming
                        ? "the stream grew larger than \(cap >> 10) KiB without ending; stopped reading"
                        : "the answer is larger than \(cap >> 10) KiB; stopped reading"
                    break
                }
            }
        } catch {
            let reason = NetworkErrors.describe(error, host: target.host, port: target.port)
            exchange.broken = "\(reason) after \(received) bytes"
        }
        guard exchange.status == 200 else {
            exchange.errorBody = whole
            return exchange
        }
        if !streaming, exchange.broken == nil {
            let document: DetailValue
            do {
                document = try JSONBody.parse(whole)
            } catch let failure as CheckFailure {
                exchange.broken = failure.message
                return exchange
            }
            if provider == .anthropic {
                exchange.answer.readAnthropic(document, at: ContinuousClock.now)
            } else {
                exchange.answer.readOpenAI(document, at: ContinuousClock.now)
            }
        }
        return exchange
    }

    func judge(_ exchange: Exchange, notes: [String: DetailValue]) -> CheckOutcome {
        let answer = exchange.answer
        var details = notes
        details["status_code"] = .int(exchange.status)
        if let id = exchange.headers.first(name: "request-id") ?? exchange.headers.first(name: "x-request-id") {
            details["request_id"] = .string(id)
        }
        let statusLine = "\(exchange.status) \(exchange.reason)"
        guard exchange.status == 200 else {
            let said = ProviderError.message(in: exchange.errorBody).map { ": \($0)" } ?? ""
            switch exchange.status {
            case 400:
                return .fail("request rejected (\(statusLine))\(said)", details: details)
            case 529:
                return .fail("overloaded (\(statusLine))\(said)", details: details)
            default:
                let response = FetchedResponse(
                    status: exchange.status, reason: exchange.reason, headers: exchange.headers,
                    body: exchange.errorBody, truncated: false, url: url, redirects: 0, latency: .zero)
                var judged =
                    ProviderError.judge(response, credential: "API key")
                    ?? .fail("unexpected status \(statusLine)\(said)")
                judged.details.merge(details) { own, _ in own }
                return judged
            }
        }
        var metrics: [Metric] = []
        if let first = answer.firstDeltaAt, stream {
            let ttft = (exchange.sentAt.duration(to: first).milliseconds * 10).rounded() / 10
            metrics.append(Metric("ttft_ms", ttft, unit: .ms))
        }
        if let input = answer.inputTokens { metrics.append(Metric("input_tokens", input, unit: .tokens)) }
        if let output = answer.outputTokens { metrics.append(Metric("output_tokens", output, unit: .tokens)) }
        if stream, answer.deltas >= 2, let output = answer.outputTokens, let first = answer.firstDeltaAt,
            let last = answer.lastDeltaAt, first.duration(to: last) > .zero
        {
            metrics.append(Metric("output_tokens_per_s", output / first.duration(to: last).seconds))
        }
        // The console shows the first three: time to first token and headroom lead.
        let headroom = RateLimitHeaders.metrics(exchange.headers.map { ($0.name, $0.value) }, now: Date())
        let ratio = headroom.filter { $0.name == "ratelimit_tokens_remaining_ratio" }
        metrics.insert(contentsOf: ratio, at: metrics.first?.name == "ttft_ms" ? 1 : 0)
        metrics += headroom.filter { $0.name != "ratelimit_tokens_remaining_ratio" }
        if let model = answer.model { details["model"] = .string(model) }
        if let stop = answer.stopReason { details["stop_reason"] = .string(stop) }
        if !answer.text.isEmpty { details["answer"] = .string(Snippet.of(Array(answer.text.utf8), limit: 200)) }

        if let error = answer.error {
            let said = error.message.isEmpty ? "" : ": \(Snippet.of(Array(error.message.utf8), limit: 160))"
            if error.type == "overloaded_error" {
                return .fail(
                    "overloaded (error event after \(statusLine): \(error.type)\(said))", details: details,
                    metrics: metrics)
            }
            return .fail("error event after \(statusLine): \(error.type)\(said)", details: details, metrics: metrics)
        }
        if let broken = exchange.broken {
            return .fail("\(statusLine), then \(broken)", details: details, metrics: metrics)
        }
        if stream, !answer.finished {
            let terminal = provider == .anthropic ? "message_stop" : "[DONE]"
            return .fail(
                "stream ended early: no \(terminal) after \(answer.events) events"
                    + (answer.text.isEmpty ? "" : " (\(answer.text.count) characters of text)"),
                details: details, metrics: metrics)
        }
        let text = answer.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            if ["max_tokens", "length"].contains(answer.stopReason ?? "") {
                return .fail(
                    "the answer was cut at max_tokens (\(maxTokens)) before any text; raise max_tokens",
                    details: details, metrics: metrics)
            }
            return .fail(
                "empty answer" + (answer.stopReason.map { " (stop reason \($0))" } ?? ""), details: details,
                metrics: metrics)
        }
        let quoted = "\"\(Snippet.of(Array(text.utf8), limit: 200))\""
        if let expected, !text.lowercased().contains(expected.lowercased()) {
            return .fail("the answer does not contain '\(expected)': \(quoted)", details: details, metrics: metrics)
        }
        var summary = "answered \(quoted)"
        if let first = answer.firstDeltaAt, stream {
            summary += ", first token after \(RunReport.formatMilliseconds(exchange.sentAt.duration(to: first)))"
        }
        if let model = answer.model { summary += " (\(model))" }
        var outcome = CheckOutcome.ok(summary, details: details, metrics: metrics)
        // warn_latency judges the time to the first token of a stream, not the whole answer.
        if stream, let first = answer.firstDeltaAt { outcome.judgedLatency = exchange.sentAt.duration(to: first) }
        return outcome
    }
}
