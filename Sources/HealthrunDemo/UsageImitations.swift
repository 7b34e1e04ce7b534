import Foundation
import HealthrunCore

extension ProviderImitations {
    /// Anthropic's Admin API: `GET /v1/organizations/usage_report/messages` and
    /// `GET /v1/organizations/cost_report`, one daily bucket per page (`has_more`, `next_page`,
    /// `page`), for the month's first day and `today` (`YYYY-MM-DD`). Amounts are decimal
    /// strings in cents, as the API sends them.
    public static func anthropicAdmin(apiKey: String, today: String) -> @Sendable (RecordedRequest) -> Behaviour {
        { request in
            func error(_ status: Int, _ type: String, _ message: String) -> Behaviour {
                .json(status, #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"#)
            }
            guard request.header("x-api-key") == apiKey else {
                return error(401, "authentication_error", "invalid x-api-key")
            }
            guard request.header("anthropic-version") != nil else {
                return error(400, "invalid_request_error", "anthropic-version: header is required")
            }
            guard let start = request.query("starting_at") else {
                return error(400, "invalid_request_error", "starting_at: Field required")
            }
            let first = String(start.prefix(10))
            let days = first == today ? [first] : [first, today]
            let index = request.query("page") == "page_2" ? 1 : 0
            guard index < days.count else { return error(400, "invalid_request_error", "invalid page") }
            let day = days[index]
            let more = index + 1 < days.count
            let page = #""has_more":\#(more),"next_page":\#(more ? #""page_2""# : "null")"#
            let bucket = #""starting_at":"\#(day)T00:00:00Z","ending_at":"\#(day)T23:59:59Z""#
            switch request.path {
            case "/v1/organizations/usage_report/messages":
                guard request.query("bucket_width") == "1d", request.query("group_by[]") == "model" else {
                    return error(400, "invalid_request_error", "bucket_width and group_by[] expected")
                }
                var results = [
                    #"{"uncached_input_tokens":1000,"cache_creation":{"ephemeral_1h_input_tokens":100,"ephemeral_5m_input_tokens":200},"cache_read_input_tokens":300,"output_tokens":500,"server_tool_use":{"web_search_requests":0},"api_key_id":null,"workspace_id":null,"model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k"}"#
                ]
                if index == 0 {
                    results.append(
                        #"{"uncached_input_tokens":2000,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"cache_read_input_tokens":0,"output_tokens":100,"server_tool_use":{"web_search_requests":0},"api_key_id":null,"workspace_id":null,"model":"claude-opus-4-1-20250805","service_tier":"standard","context_window":"0-200k"}"#
                    )
                }
                return .json(200, #"{"data":[{\#(bucket),"results":[\#(results.joined(separator: ","))]}],\#(page)}"#)
            case "/v1/organizations/cost_report":
                let cents = index == 0 ? "1234.5" : "250.00"
                return .json(
                    200,
                    #"{"data":[{\#(bucket),"results":[{"currency":"USD","amount":"\#(cents)","workspace_id":null,"description":null,"cost_type":"tokens","context_window":"0-200k","model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"uncached_input_tokens"}]}],\#(page)}"#
                )
            default:
                return error(404, "not_found_error", "Not found")
            }
        }
    }

    /// OpenAI's organization usage: `GET /v1/organization/usage/completions` (by model) and
    /// `GET /v1/organization/costs`, one daily bucket per page, for the month's first day and
    /// `today` (unix seconds of their starts).
    public static func openAIAdmin(apiKey: String, monthStart: Int, today: Int)
        -> @Sendable (RecordedRequest) -> Behaviour
    {
        { request in
            guard request.header("authorization") == "Bearer \(apiKey)" else {
                return .json(
                    401,
                    #"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
                )
            }
            guard request.query("start_time") == String(monthStart) else {
                return .json(400, #"{"error":{"message":"start_time is required","type":"invalid_request_error"}}"#)
            }
            let days = monthStart == today ? [monthStart] : [monthStart, today]
            let index = request.query("page") == "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=" ? 1 : 0
            let day = days[min(index, days.count - 1)]
            let more = index + 1 < days.count
            let page = #""has_more":\#(more),"next_page":\#(more ? #""page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=""# : "null")"#
            switch request.path {
            case "/v1/organization/usage/completions":
                let result =
                    #"{"object":"organization.usage.completions.result","input_tokens":5000,"output_tokens":1000,"input_cached_tokens":1000,"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":40,"project_id":null,"user_id":null,"api_key_id":null,"model":"gpt-4o-mini-2024-07-18","batch":null}"#
                return .json(
                    200,
                    #"{"object":"page","data":[{"object":"bucket","start_time":\#(day),"end_time":\#(day + 86_400),"results":[\#(result)]}],\#(page)}"#
                )
            case "/v1/organization/costs":
                let value = index == 0 ? "0.06" : "0.02"
                return .json(
                    200,
                    #"{"object":"page","data":[{"object":"bucket","start_time":\#(day),"end_time":\#(day + 86_400),"results":[{"object":"organization.costs.result","amount":{"value":\#(value),"currency":"usd"},"line_item":null,"project_id":null}]}],\#(page)}"#
                )
            default:
                return .json(404, #"{"error":{"message":"Invalid URL","type":"invalid_request_error"}}"#)
            }
        }
    }

    /// OpenRouter's `GET /api/v1/key`: the key's credit limit, what is left and its spend.
    public static func openRouter(apiKey: String, limitRemaining: Double = 74.5)
        -> @Sendable (RecordedRequest) -> Behaviour
    {
        { request in
            guard request.method == "GET", request.path == "/api/v1/key" else {
                return .json(404, #"{"error":{"code":404,"message":"Not Found"}}"#)
            }
            guard request.header("authorization") == "Bearer \(apiKey)" else {
                return .json(401, #"{"error":{"code":401,"message":"No auth credentials found"}}"#)
            }
            return .json(
                200,
                #"{"data":{"label":"sk-or-v1-0e6...c4d","limit":100,"limit_remaining":\#(limitRemaining),"limit_reset":null,"include_byok_in_limit":false,"usage":25.5,"usage_daily":1.25,"usage_weekly":5.5,"usage_monthly":10.2,"byok_usage":0,"byok_usage_daily":0,"byok_usage_weekly":0,"byok_usage_monthly":0,"is_free_tier":false}}"#
            )
        }
    }
}
