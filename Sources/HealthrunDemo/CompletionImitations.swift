import Foundation
import HealthrunCore

extension ProviderImitations {
    /// What an imitated model does with a completion request.
    public enum Inference: Sendable {
        /// Answers this text (streamed as deltas of a few characters).
        case answers(String)
        /// Anthropic's 529 `overloaded_error` (a 503 for OpenAI-shaped APIs).
        case overloaded
        /// 200 and the first events, then an error event (Anthropic `event: error`, OpenAI a
        /// `data:` chunk with `error`).
        case errorAfter200(type: String, message: String)
        /// 429 with `retry-after`.
        case rateLimited(retryAfter: Int)
        /// Stops at `max_tokens` before any text (a reasoning model thinking past the budget).
        case cutAtMaxTokens
        /// Sends some text, then ends the body without the terminal event.
        case endsEarly
        /// Answers `status` with the provider's error body carrying `message`.
        case rejects(status: Int, message: String)
    }

    /// Splits `text` into the deltas a model streams: a few characters each.
    static func deltas(_ text: String) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(3)))
            rest = rest.dropFirst(3)
        }
        return pieces
    }

    static func jsonString(_ text: String) -> String { JSONText.string(text).compact() }

    /// Anthropic's `POST /v1/messages`, streamed (`"stream": true`) or whole, with
    /// `anthropic-ratelimit-*` and `request-id` headers. `x-api-key` and `anthropic-version`
    /// are required, as the API requires them; a proxy that wants Bearer is imitated with `bearer`.
    public static func anthropicMessages(
        apiKey: String, bearer: Bool = false, inference: Inference, model: String = "claude-sonnet-4-5-20250929",
        every pause: Duration = .milliseconds(5)
    ) -> @Sendable (RecordedRequest) -> Behaviour {
        { request in
            func error(_ status: Int, _ type: String, _ message: String) -> Behaviour {
                .json(
                    status, #"{"type":"error","error":{"type":"\#(type)","message":\#(jsonString(message))}}"#,
                    headers: [("request-id", "req_011CUh6PZvWXMbq9ZdXAgk3z")])
            }
            guard request.method == "POST", request.path == "/v1/messages" else {
                return error(404, "not_found_error", "Not found")
            }
            let given = bearer ? request.header("authorization") : request.header("x-api-key")
            guard given == (bearer ? "Bearer \(apiKey)" : apiKey) else {
                return error(401, "authentication_error", "invalid x-api-key")
            }
            guard request.header("anthropic-version") != nil else {
                return error(400, "invalid_request_error", "anthropic-version: header is required")
            }
            guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                body["model"] is String, let maxTokens = body["max_tokens"] as? Int,
                (body["messages"] as? [Any])?.isEmpty == false
            else {
                return error(400, "invalid_request_error", "model, max_tokens and messages are required")
            }
            let stream = body["stream"] as? Bool ?? false
            let headers = [
                ("request-id", "req_011CUh6PZvWXMbq9ZdXAgk3z"), ("anthropic-ratelimit-requests-limit", "4000"),
                ("anthropic-ratelimit-requests-remaining", "3999"),
                ("anthropic-ratelimit-requests-reset", "2026-12-01T00:00:01Z"),
                ("anthropic-ratelimit-tokens-limit", "480000"), ("anthropic-ratelimit-tokens-remaining", "432000"),
                ("anthropic-ratelimit-tokens-reset", "2026-12-01T00:00:06Z"),
                ("anthropic-ratelimit-input-tokens-limit", "400000"),
                ("anthropic-ratelimit-input-tokens-remaining", "360000"),
                ("anthropic-ratelimit-output-tokens-limit", "80000"),
                ("anthropic-ratelimit-output-tokens-remaining", "72000"),
            ]
            var text = ""
            var stop = "end_turn"
            switch inference {
            case .answers(let answer): text = answer
            case .overloaded: return error(529, "overloaded_error", "Overloaded")
            case .rateLimited(let seconds):
                return .json(
                    429,
                    #"{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your rate limit."}}"#,
                    headers: [("retry-after", String(seconds))])
            case .rejects(let status, let message): return error(status, "invalid_request_error", message)
            case .cutAtMaxTokens: stop = "max_tokens"
            case .errorAfter200, .endsEarly: text = "po"
            }
            let outputTokens = max(1, text.count / 3)
            guard stream else {
                let content = text.isEmpty ? "[]" : #"[{"type":"text","text":\#(jsonString(text))}]"#
                return .json(
                    200,
                    #"{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"\#(model)","content":\#(content),"stop_reason":"\#(stop)","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":\#(stop == "max_tokens" ? maxTokens : outputTokens)}}"#,
                    headers: headers)
            }
            var events = [
                #"event: message_start\#ndata: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"\#(model)","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":1}}}\#n\#n"#,
                #"event: content_block_start\#ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\#n\#n"#,
                "event: ping\ndata: {\"type\": \"ping\"}\n\n",
            ]
            for piece in deltas(text) {
                events.append(
                    #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(jsonString(piece))}}\#n\#n"#
                )
            }
            switch inference {
            case .errorAfter200(let type, let message):
                events.append(
                    #"event: error\#ndata: {"type":"error","error":{"type":"\#(type)","message":\#(jsonString(message))}}\#n\#n"#
                )
                return .events(events, every: pause, headers: headers)
            case .endsEarly:
                return .events(events, every: pause, headers: headers)
            default:
                break
            }
            events += [
                #"event: content_block_stop\#ndata: {"type":"content_block_stop","index":0}\#n\#n"#,
                #"event: message_delta\#ndata: {"type":"message_delta","delta":{"stop_reason":"\#(stop)","stop_sequence":null},"usage":{"output_tokens":\#(stop == "max_tokens" ? maxTokens : outputTokens)}}\#n\#n"#,
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            ]
            return .events(events, every: pause, headers: headers)
        }
    }

    /// An OpenAI-shaped `POST …/chat/completions` (OpenAI, OpenAI-compatible proxies, GigaChat):
    /// Bearer `token`; streamed as `data:` chunks, usage in a last chunk with `choices: []` when
    /// `stream_options.include_usage` asks for it (always, with `usageInLastChunk`, as GigaChat
    /// does), then `data: [DONE]`. With `rejectsMaxCompletionTokens`, a request naming
    /// `max_completion_tokens` gets 400, as older proxies answer. `rateLimitHeaders`: OpenAI's
    /// `x-ratelimit-*` (GigaChat documents none).
    public static func chatCompletions(
        path: String = "/v1/chat/completions", token: String, inference: Inference,
        model: String = "gpt-4o-mini-2024-07-18", rejectsMaxCompletionTokens: Bool = false,
        usageInLastChunk: Bool = false, rateLimitHeaders: Bool = true, every pause: Duration = .milliseconds(5)
    ) -> @Sendable (RecordedRequest) -> Behaviour {
        { request in
            func error(_ status: Int, _ message: String, type: String = "invalid_request_error") -> Behaviour {
                .json(
                    status,
                    #"{"error":{"message":\#(jsonString(message)),"type":"\#(type)","param":null,"code":null}}"#,
                    headers: [("x-request-id", "req_6d3f1c2e9b8a47f0a1b2c3d4e5f60718")])
            }
            guard request.method == "POST", request.path == path else {
                return error(404, "Invalid URL (\(request.method) \(request.path))")
            }
            let given = request.header("authorization")?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            guard given == token else {
                return error(401, "Incorrect API key provided: \(given).", type: "invalid_request_error")
            }
            guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                body["model"] is String, (body["messages"] as? [Any])?.isEmpty == false
            else {
                return error(400, "model and messages are required")
            }
            if rejectsMaxCompletionTokens, body["max_completion_tokens"] != nil {
                return error(400, "Unrecognized request argument supplied: max_completion_tokens")
            }
            let stream = body["stream"] as? Bool ?? false
            let includeUsage =
                usageInLastChunk || ((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false)
            var headers = [("x-request-id", "req_6d3f1c2e9b8a47f0a1b2c3d4e5f60718")]
            if rateLimitHeaders {
                headers += [
                    ("x-ratelimit-limit-requests", "500"), ("x-ratelimit-remaining-requests", "499"),
                    ("x-ratelimit-reset-requests", "120ms"), ("x-ratelimit-limit-tokens", "30000"),
                    ("x-ratelimit-remaining-tokens", "29950"), ("x-ratelimit-reset-tokens", "100ms"),
                ]
            }
            var text = ""
            var finish = "stop"
            switch inference {
            case .answers(let answer): text = answer
            case .overloaded: return error(503, "The server is overloaded or not ready yet.", type: "server_error")
            case .rateLimited(let seconds):
                return .json(
                    429,
                    #"{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
                    headers: [("retry-after", String(seconds))])
            case .rejects(let status, let message): return error(status, message)
            case .cutAtMaxTokens: finish = "length"
            case .errorAfter200, .endsEarly: text = "po"
            }
            let completion = max(1, text.count / 3)
            let usage = #"{"prompt_tokens":14,"completion_tokens":\#(completion),"total_tokens":\#(14 + completion)}"#
            let head = #""id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","created":1741569952,"model":"\#(model)""#
            guard stream else {
                let content = text.isEmpty ? "null" : jsonString(text)
                return .json(
                    200,
                    #"{\#(head),"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":\#(content),"refusal":null},"logprobs":null,"finish_reason":"\#(finish)"}],"usage":\#(usage)}"#,
                    headers: headers)
            }
            func chunk(_ delta: String, finish: String? = nil, usage: String = "null", choices: Bool = true) -> String {
                let reason = finish.map { #""\#($0)""# } ?? "null"
                let choice = #"[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(reason)}]"#
                return
                    #"data: {\#(head),"object":"chat.completion.chunk","choices":\#(choices ? choice : "[]"),"usage":\#(usage)}\#n\#n"#
            }
            var events = [chunk(#"{"role":"assistant","content":""}"#)]
            for piece in deltas(text) { events.append(chunk(#"{"content":\#(jsonString(piece))}"#)) }
            switch inference {
            case .errorAfter200(let type, let message):
                events.append(
                    #"data: {"error":{"message":\#(jsonString(message)),"type":"\#(type)","param":null,"code":null}}\#n\#n"#
                )
                return .events(events, every: pause, headers: headers)
            case .endsEarly:
                return .events(events, every: pause, headers: headers)
            default:
                break
            }
            if usageInLastChunk {
                events.append(chunk("{}", finish: finish, usage: usage))
            } else {
                events.append(chunk("{}", finish: finish))
                if includeUsage { events.append(chunk("{}", usage: usage, choices: false)) }
            }
            events.append("data: [DONE]\n\n")
            return .events(events, every: pause, headers: headers)
        }
    }
}
