import HealthrunCore
import NIOHTTP1

/// Reads the error text providers put in their error bodies: `{"error": {"message": …}}`
/// (OpenAI, Anthropic), `{"message": …}` (GigaChat), `{"description": …}` (Telegram),
/// `{"error": "…"}`; otherwise the first bytes of the body, escaped.
enum ProviderError {
    static func message(in body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let document = try? JSONBody.parse(body) {
            for path in ["$.error.message", "$.message", "$.description", "$.error_description", "$.error", "$.detail"]
            {
                if let value = try? JSONPath(path).evaluate(document), case .string(let text) = value, !text.isEmpty {
                    return Snippet.of(Array(text.utf8), limit: 160)
                }
            }
        }
        return Snippet.of(body, limit: 120)
    }

    /// The shared reading of a non-2xx answer: 401/403 rejected credentials, 429 rate limited
    /// (warn: the key was accepted), 5xx server error; `nil` for 2xx.
    static func judge(_ response: FetchedResponse, credential: String) -> CheckOutcome? {
        let detail = message(in: response.body).map { ": \($0)" } ?? ""
        let details: [String: DetailValue] = ["status_code": .int(response.status)]
        switch response.status {
        case 200..<300:
            return nil
        case 401, 403:
            return .fail("\(credential) rejected (\(response.statusLine))\(detail)", details: details)
        case 429:
            let retry = response.headers.first(name: "retry-after").map { "; retry after \($0)s" } ?? ""
            return .warn("rate limited (\(response.statusLine))\(detail)\(retry)", details: details)
        case 500..<600:
            return .fail("server error \(response.statusLine)\(detail)", details: details)
        default:
            return .fail("unexpected status \(response.statusLine)\(detail)", details: details)
        }
    }
}
