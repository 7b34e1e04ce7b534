import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

/// The inference canary against loopback imitations of Anthropic's Messages API, OpenAI's Chat
/// Completions and GigaChat, over real sockets, streamed and whole.
@Suite struct CompletionCheckerTests {
    static let key = "sk-ant-canary-completion-0123456789abcdef"

    static func values(_ metrics: [Metric]) -> [String: Double] {
        Dictionary(metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    static func anthropic(_ base: String, _ extra: String = "") -> String {
        CheckHarness.check(
            "completion",
            "provider: anthropic\nurl: \(base)/v1/messages\napi_key: ${ANTHROPIC_API_KEY}\nmodel: sonnet" + extra)
    }

    @Test func anthropicStreamsPongWithTimeToFirstTokenUsageAndHeadroom() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicMessages(
                apiKey: Self.key, inference: .answers("pong"), every: .milliseconds(20)))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            Self.anthropic(server.baseURL), environment: ["ANTHROPIC_API_KEY": Self.key])
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message.hasPrefix("answered \"pong\", first token after "), "\(run.result.message)")
        #expect(run.result.message.hasSuffix("(claude-sonnet-4-5-20250929)"))
        let values = Self.values(run.result.metrics)
        #expect(values["input_tokens"] == 14 && values["output_tokens"] == 1)
        // message_start, content_block_start and ping come before the first delta, 20 ms apart.
        #expect((values["ttft_ms"] ?? 0) >= 40, "\(values)")
        #expect(values["ratelimit_tokens_remaining_ratio"] == 0.9)
        #expect(values["output_tokens_per_s"] != nil, "two deltas: po, ng")
        #expect(run.result.details["stop_reason"] == .string("end_turn"))
        #expect(run.result.details["request_id"] == .string("req_011CUh6PZvWXMbq9ZdXAgk3z"))
        let request = try #require(server.requests.first)
        #expect(request.header("x-api-key") == Self.key && request.header("anthropic-version") == "2023-06-01")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(body["model"] as? String == "sonnet" && body["max_tokens"] as? Int == 16)
        #expect(body["stream"] as? Bool == true)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages == [["role": "user", "content": "Reply with the single word: pong"]])
        #expect(!run.allOutput.contains(Self.key))
    }

    /// warn_latency judges the first token: a slow stream whose first token comes quickly passes,
    /// one whose first token is late warns.
    @Test func warnLatencyJudgesTheTimeToFirstToken() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicMessages(
                apiKey: Self.key, inference: .answers("pong pong pong pong pong pong"), every: .milliseconds(40)))
        defer { Task { await server.close() } }
        // Three events before the first delta: about 120 ms; about 500 ms in all.
        let quick = try await CheckHarness.run(
            Self.anthropic(server.baseURL, "\nwarn_latency: 400ms\nexpect: {contains: pong}"),
            environment: ["ANTHROPIC_API_KEY": Self.key])
        #expect(quick.result.status == .ok, "\(quick.result.message) in \(quick.result.duration)")
        #expect(quick.result.duration > .milliseconds(400), "the whole answer took longer than the limit")
        let slow = try await CheckHarness.run(
            Self.anthropic(server.baseURL, "\nwarn_latency: 60ms\nexpect: {contains: pong}"),
            environment: ["ANTHROPIC_API_KEY": Self.key])
        #expect(slow.result.status == .warn)
        #expect(slow.result.message.hasSuffix("(first token slower than 60ms)"), "\(slow.result.message)")
    }

    @Test func anthropicWholeAnswerAndProviderFieldsMergedIntoTheBody() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicMessages(apiKey: Self.key, bearer: true, inference: .answers("Pong.")))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "completion",
                """
                provider: anthropic
                url: \(server.baseURL)/v1/messages
                auth: {bearer: "\(Self.key)"}
                model: opus
                stream: false
                max_tokens: 64
                body: {temperature: 0, metadata: {user_id: healthrun}}
                """))
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message == "answered \"Pong.\" (claude-sonnet-4-5-20250929)")
        #expect(Self.values(run.result.metrics)["ttft_ms"] == nil, "no time to first token without a stream")
        let first = try #require(server.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        #expect(body["stream"] as? Bool == false && body["max_tokens"] as? Int == 64)
        #expect(body["temperature"] as? Int == 0)
        #expect((body["metadata"] as? [String: String]) == ["user_id": "healthrun"])
    }

    struct Verdict: Sendable, CustomTestStringConvertible {
        var name: String
        var inference: ProviderImitations.Inference
        var stream: Bool
        var status: CheckStatus
        var message: String
        var testDescription: String { name }
    }

    static let anthropicVerdicts: [Verdict] = [
        Verdict(
            name: "529", inference: .overloaded, stream: true, status: .fail,
            message: "overloaded (529"),
        Verdict(
            name: "overloaded_error after 200",
            inference: .errorAfter200(type: "overloaded_error", message: "Overloaded"),
            stream: true, status: .fail,
            message: "overloaded (error event after 200 OK: overloaded_error: Overloaded)"),
        Verdict(
            name: "api_error after 200", inference: .errorAfter200(type: "api_error", message: "Internal server error"),
            stream: true, status: .fail, message: "error event after 200 OK: api_error: Internal server error"),
        Verdict(
            name: "429", inference: .rateLimited(retryAfter: 30), stream: true, status: .warn,
            message: "retry after 30s"),
        Verdict(
            name: "400", inference: .rejects(status: 400, message: "max_tokens: Field required"), stream: true,
            status: .fail, message: "request rejected (400 Bad Request): max_tokens: Field required"),
        Verdict(
            name: "cut by max_tokens", inference: .cutAtMaxTokens, stream: true, status: .fail,
            message: "cut at max_tokens (16) before any text; raise max_tokens"),
        Verdict(
            name: "cut by max_tokens, whole", inference: .cutAtMaxTokens, stream: false, status: .fail,
            message: "raise max_tokens"),
        Verdict(
            name: "stream ends early", inference: .endsEarly, stream: true, status: .fail,
            message: "stream ended early: no message_stop after 4 events"),
        Verdict(
            name: "wrong answer", inference: .answers("I can't help with that."), stream: true, status: .fail,
            message: "the answer does not contain 'pong': \"I can't help with that.\""),
    ]

    @Test(arguments: anthropicVerdicts)
    func anthropicAnswerIsJudged(_ verdict: Verdict) async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicMessages(apiKey: Self.key, inference: verdict.inference))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            Self.anthropic(server.baseURL, verdict.stream ? "" : "\nstream: false"),
            environment: ["ANTHROPIC_API_KEY": Self.key])
        #expect(run.result.status == verdict.status, "\(run.result.message)")
        #expect(run.result.message.contains(verdict.message), "\(run.result.message)")
        #expect(!run.result.message.contains("reachable"))
    }

    @Test func aRejectedRequestQuotesTheProviderWithTheKeyMasked() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicMessages(
                apiKey: Self.key, inference: .rejects(status: 400, message: "bad request for key \(Self.key)")))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            Self.anthropic(server.baseURL), environment: ["ANTHROPIC_API_KEY": Self.key])
        #expect(run.result.status == .fail)
        #expect(run.result.message.hasPrefix("request rejected (400 Bad Request): bad request for key "))
        #expect(!run.allOutput.contains(Self.key), "\(run.result.message)")
    }

    @Test func openAIStreamsWithUsageInTheLastChunk() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.chatCompletions(token: Self.key, inference: .answers("pong")))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "completion",
                "provider: openai\nurl: \(server.baseURL)/v1/chat/completions\napi_key: \(Self.key)\nmodel: gpt-4o-mini"
            ))
        #expect(run.result.status == .ok, "\(run.result.message)")
        let values = Self.values(run.result.metrics)
        #expect(values["input_tokens"] == 14 && values["output_tokens"] == 1, "\(values)")
        #expect(values["ratelimit_tokens_reset_s"] == 0.1 && values["ratelimit_requests_remaining"] == 499)
        #expect(run.result.details["stop_reason"] == .string("stop"))
        let first = try #require(server.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        #expect(body["max_completion_tokens"] as? Int == 16 && body["max_tokens"] == nil)
        #expect((body["stream_options"] as? [String: Bool]) == ["include_usage": true])
        #expect(first.header("authorization") == "Bearer \(Self.key)")
    }

    @Test(arguments: [
        (ProviderImitations.Inference.endsEarly, "stream ended early: no [DONE]"),
        (
            .errorAfter200(type: "server_error", message: "upstream failed"),
            "error event after 200 OK: server_error: upstream failed"
        ),
        (.overloaded, "server error 503"), (.cutAtMaxTokens, "raise max_tokens"),
    ])
    func openAIVerdicts(inference: ProviderImitations.Inference, message: String) async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.chatCompletions(token: Self.key, inference: inference))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "completion",
                "provider: openai\nurl: \(server.baseURL)/v1/chat/completions\napi_key: \(Self.key)\nmodel: gpt-4o"))
        #expect(run.result.status == .fail)
        #expect(run.result.message.contains(message), "\(run.result.message)")
    }

    @Test func aProxyThatRejectsMaxCompletionTokensGetsMaxTokens() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.chatCompletions(
                token: Self.key, inference: .answers("pong"), rejectsMaxCompletionTokens: true))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "completion",
                "provider: openai\nurl: \(server.baseURL)/v1/chat/completions\napi_key: \(Self.key)\nmodel: sonnet"))
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(server.requests.count == 2)
        let retried = try #require(
            try JSONSerialization.jsonObject(with: Data(server.requests[1].body)) as? [String: Any])
        #expect(retried["max_tokens"] as? Int == 16 && retried["max_completion_tokens"] == nil)
        guard case .string(let note)? = run.result.details["max_tokens_field"] else {
            Issue.record("no note in details")
            return
        }
        #expect(note.contains("Unrecognized request argument supplied: max_completion_tokens"))
    }

    @Test func gigaChatTakesATokenThenStreamsWithUsageInTheLastChunk() async throws {
        let authKey = Data("client-id:client-secret-canary".utf8).base64EncodedString()
        let token = "giga-token-canary-completion-0123"
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.gigaChat(authKey: authKey, accessToken: token, inference: .answers("Pong")))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "completion",
                """
                provider: gigachat
                url: \(server.baseURL)/api/v1/chat/completions
                token_url: \(server.baseURL)/api/v2/oauth
                auth_key: \(authKey)
                model: GigaChat
                """))
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(Self.values(run.result.metrics)["input_tokens"] == 14)
        #expect(server.requests.map(\.path) == ["/api/v2/oauth", "/api/v1/chat/completions"])
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(server.requests[1].body)) as? [String: Any])
        #expect(body["max_tokens"] as? Int == 16 && body["stream_options"] == nil)
        #expect(!run.allOutput.contains(token) && !run.allOutput.contains(authKey))
    }

    @Test(arguments: [
        ("model: x", "a completion check needs 'provider'"),
        ("provider: generic\nmodel: x", "a completion check speaks anthropic, openai or gigachat"),
        ("provider: anthropic", "a completion check needs 'model'"),
        ("provider: anthropic\nmodel: x\nmax_tokens: 1", "max_tokens must be 2 or more"),
    ])
    func configurationMistakesAreLocated(fields: String, message: String) async throws {
        do {
            _ = try await CheckHarness.run(CheckHarness.check("completion", fields))
            Issue.record("loaded: \(fields)")
        } catch let error as ConfigurationError {
            let text = error.diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains(message), "\(text)")
            #expect(text.contains("test.yaml:"), "\(text)")
        }
    }

    struct StreamFault: Sendable, CustomTestStringConvertible {
        var name: String
        var behaviour: Behaviour
        var message: String
        var testDescription: String { name }
    }

    static let ping = "event: ping\ndata: {\"type\":\"ping\"}\n\n"
    static let streamFaults = [
        StreamFault(
            name: "hangs before the head", behaviour: .silent, message: "timed out after 500ms: no answer from"),
        StreamFault(
            name: "hangs mid-stream", behaviour: .events([ping], end: .hang),
            message: "timed out after 500ms: 200 OK from 127.0.0.1"),
        StreamFault(
            name: "drips", behaviour: .events(Array(repeating: ping, count: 100), every: .milliseconds(100)),
            message: "then the stream stalled after"),
        StreamFault(
            name: "resets mid-stream", behaviour: .events([ping], end: .reset), message: "connection reset"),
        StreamFault(
            name: "floods",
            behaviour: .events(Array(repeating: ": " + String(repeating: "x", count: 4_000) + "\n" + ping, count: 400)),
            message: "the stream grew larger than 1024 KiB"),
    ]

    /// A stream that stalls, resets or never ends: a clear fail within timeout + 0.5 s.
    @Test(arguments: streamFaults)
    func aMisbehavingStreamFailsOnTime(_ fault: StreamFault) async throws {
        let behaviour = fault.behaviour
        let server = try await LoopbackHTTPServer { _ in behaviour }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "completion", timeout: "500ms",
                "provider: anthropic\nurl: \(server.baseURL)/v1/messages\napi_key: \(Self.key)\nmodel: sonnet"))
        #expect(run.result.status == .fail, "\(fault.name)")
        #expect(run.result.message.contains(fault.message), "\(fault.name): \(run.result.message)")
        #expect(run.result.duration < TimeBounds.promise(.milliseconds(500)), "\(fault.name): \(run.result.duration)")
    }
}
