public import Foundation
import HealthrunCore

/// Loopback imitations of the services healthrun watches, answering in their documented wire
/// formats: an LLM API proxy, OpenAI, Anthropic, GigaChat (OAuth token step included) and the
/// Telegram Bot API. Each checks credentials the way the real one does.
public enum ProviderImitations {
    /// The admin panel's LLM proxy: `GET /health`, `GET /v1/models` and `POST /v1/messages`
    /// (Anthropic's format) behind `Authorization: Bearer`. With `modelsDown`, `/v1/models`
    /// answers 503 as a proxy whose upstream is down. With `inferenceBroken`, `/health` and the
    /// model list stay static and green while every completion gets 200 and then an `api_error`
    /// event, as proxies that never ask upstream for their health behave.
    public static func llmProxy(apiKey: String, modelsDown: Bool = false, inferenceBroken: Bool = false)
        -> @Sendable (RecordedRequest) -> Behaviour
    {
        let messages = anthropicMessages(
            apiKey: apiKey, bearer: true,
            inference: inferenceBroken
                ? .errorAfter200(type: "api_error", message: "upstream request failed: connection refused")
                : .answers("pong"),
            every: .milliseconds(2))
        return { request in
            switch (request.method, request.path) {
            case ("POST", "/v1/messages"):
                guard request.header("authorization") == "Bearer \(apiKey)" else {
                    return .json(
                        401, #"{"error":{"message":"invalid or missing API key","type":"authentication_error"}}"#)
                }
                return messages(request)
            case ("GET", "/health"):
                return .json(200, #"{"status":"ok","version":"1.4.2"}"#)
            case ("GET", "/v1/models"), ("GET", "/models"):
                guard request.header("authorization") == "Bearer \(apiKey)" else {
                    return .json(
                        401, #"{"error":{"message":"invalid or missing API key","type":"authentication_error"}}"#)
                }
                if modelsDown {
                    return .json(
                        503,
                        #"{"error":{"message":"upstream unavailable: anthropic returned 529 overloaded","type":"api_error"}}"#
                    )
                }
                return .json(
                    200,
                    #"{"object":"list","data":[{"id":"sonnet","object":"model","name":"Claude Sonnet 4.5","owned_by":"anthropic"},{"id":"opus","object":"model","name":"Claude Opus 4","owned_by":"anthropic"}]}"#
                )
            default:
                return .json(404, #"{"error":{"message":"not found"}}"#)
            }
        }
    }

    /// OpenAI's `GET /v1/models` and `POST /v1/chat/completions` (answering "pong"). A wrong key
    /// gets OpenAI's 401 body, which quotes the key.
    public static func openAI(apiKey: String, models: [String] = ["gpt-4o", "gpt-4o-mini", "o3"])
        -> @Sendable (RecordedRequest) -> Behaviour
    {
        let chat = chatCompletions(token: apiKey, inference: .answers("pong"), every: .milliseconds(2))
        return { request in
            if request.method == "POST", request.path == "/v1/chat/completions" { return chat(request) }
            guard request.method == "GET", request.path == "/v1/models" else {
                return .json(
                    404,
                    #"{"error":{"message":"Invalid URL (\#(request.method) \#(request.path))","type":"invalid_request_error","param":null,"code":null}}"#
                )
            }
            let given = request.header("authorization")?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            guard given == apiKey else {
                return .json(
                    401,
                    #"{"error":{"message":"Incorrect API key provided: \#(given). You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
                )
            }
            let data = models.map { #"{"id":"\#($0)","object":"model","created":1715367049,"owned_by":"system"}"# }
            return .json(200, #"{"object":"list","data":[\#(data.joined(separator: ","))]}"#)
        }
    }

    /// Anthropic's `GET /v1/models`: `x-api-key` and `anthropic-version` required; pages of
    /// `limit` (default 20, at most 1000) with `has_more`, `first_id`, `last_id`, `after_id`.
    public static func anthropic(
        apiKey: String,
        models: [(id: String, name: String)],
        pageLimit: Int = 1000
    ) -> @Sendable (RecordedRequest) -> Behaviour {
        let models = models.map { ($0.id, $0.name) }
        return { request in
            guard request.method == "GET", request.path == "/v1/models" else {
                return .json(404, #"{"type":"error","error":{"type":"not_found_error","message":"Not found"}}"#)
            }
            guard request.header("anthropic-version") != nil else {
                return .json(
                    400,
                    #"{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}"#
                )
            }
            guard request.header("x-api-key") == apiKey else {
                return .json(
                    401, #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#)
            }
            let limit = min(pageLimit, min(1000, Int(request.query("limit") ?? "20") ?? 20))
            var start = 0
            if let after = request.query("after_id"), let index = models.firstIndex(where: { $0.0 == after }) {
                start = index + 1
            }
            let page = Array(models[min(start, models.count)..<min(models.count, start + limit)])
            let data = page.map {
                #"{"type":"model","id":"\#($0.0)","display_name":"\#($0.1)","created_at":"2025-02-19T00:00:00Z"}"#
            }
            let hasMore = start + limit < models.count
            let first = page.first.map { #""\#($0.0)""# } ?? "null"
            let last = page.last.map { #""\#($0.0)""# } ?? "null"
            return .json(
                200,
                #"{"data":[\#(data.joined(separator: ","))],"has_more":\#(hasMore),"first_id":\#(first),"last_id":\#(last)}"#
            )
        }
    }

    /// GigaChat: `POST /api/v2/oauth` (form `scope=…`, `Authorization: Basic <key>`, a UUID
    /// `RqUID`) returns `{"access_token", "expires_at"}`; `GET /api/v1/models`,
    /// `POST /api/v1/chat/completions` (OpenAI-shaped; usage in the last chunk) and
    /// `GET /api/v1/balance` (403 unless `prepaid`) take it as Bearer.
    public static func gigaChat(
        authKey: String, accessToken: String = "giga-access-\(UUID().uuidString)",
        inference: Inference = .answers("pong"), prepaid: Bool = true
    )
        -> @Sendable (RecordedRequest) -> Behaviour
    {
        let chat = chatCompletions(
            path: "/api/v1/chat/completions", token: accessToken, inference: inference, model: "GigaChat:2.0.28.2",
            usageInLastChunk: true, rateLimitHeaders: false)
        return { request in
            switch (request.method, request.path) {
            case ("POST", "/api/v1/chat/completions"):
                return chat(request)
            case ("GET", "/api/v1/balance"):
                guard request.header("authorization") == "Bearer \(accessToken)" else {
                    return .json(401, #"{"status":401,"message":"Unauthorized"}"#)
                }
                guard prepaid else { return .json(403, #"{"status":403,"message":"Permission denied"}"#) }
                return .json(
                    200,
                    #"{"balance":[{"usage":"GigaChat","value":84000},{"usage":"GigaChat-Pro","value":12000},{"usage":"embeddings","value":500000}]}"#
                )
            case ("POST", "/api/v2/oauth"):
                guard request.header("authorization") == "Basic \(authKey)" else {
                    return .json(401, #"{"code":6,"message":"Can't decode 'Authorization' header"}"#)
                }
                guard let rqUID = request.header("rquid"), UUID(uuidString: rqUID) != nil else {
                    return .json(400, #"{"code":5,"message":"RqUID header is missing or not a UUID"}"#)
                }
                guard request.bodyText.hasPrefix("scope=GIGACHAT_API_") else {
                    return .json(400, #"{"code":7,"message":"scope is missing or invalid"}"#)
                }
                let expires = Date().unixMilliseconds + 30 * 60 * 1000
                return .json(200, #"{"access_token":"\#(accessToken)","expires_at":\#(expires)}"#)
            case ("GET", "/api/v1/models"):
                guard request.header("authorization") == "Bearer \(accessToken)" else {
                    return .json(401, #"{"status":401,"message":"Unauthorized"}"#)
                }
                return .json(
                    200,
                    #"{"object":"list","data":[{"id":"GigaChat","object":"model","owned_by":"salutedevices","type":"chat"},{"id":"GigaChat-Pro","object":"model","owned_by":"salutedevices","type":"chat"},{"id":"GigaChat-Max","object":"model","owned_by":"salutedevices","type":"chat"}]}"#
                )
            default:
                return .json(404, #"{"status":404,"message":"Not Found"}"#)
            }
        }
    }

    /// The Telegram Bot API: `/bot<token>/getMe` and `/bot<token>/getWebhookInfo`.
    public static func telegram(
        token: String,
        username: String = "healthrun_demo_bot",
        id: Int = 123_456_789,
        pendingUpdates: Int = 0,
        lastErrorAgo: TimeInterval? = nil
    ) -> @Sendable (RecordedRequest) -> Behaviour {
        { request in
            let prefix = "/bot\(token)/"
            guard request.path.hasPrefix("/bot") else {
                return .json(404, #"{"ok":false,"error_code":404,"description":"Not Found"}"#)
            }
            guard request.path.hasPrefix(prefix) else {
                return .json(401, #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#)
            }
            switch String(request.path.dropFirst(prefix.count)) {
            case "getMe":
                return .json(
                    200,
                    #"{"ok":true,"result":{"id":\#(id),"is_bot":true,"first_name":"healthrun demo","username":"\#(username)","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}"#
                )
            case "getWebhookInfo":
                var result =
                    #""url":"https://bot.example.invalid/hook","has_custom_certificate":false,"pending_update_count":\#(pendingUpdates),"max_connections":40"#
                if let lastErrorAgo {
                    let date = Int(Date().timeIntervalSince1970 - lastErrorAgo)
                    result += #","last_error_date":\#(date),"last_error_message":"Connection timed out""#
                }
                return .json(200, #"{"ok":true,"result":{\#(result)}}"#)
            default:
                return .json(404, #"{"ok":false,"error_code":404,"description":"Not Found: method not found"}"#)
            }
        }
    }
}
