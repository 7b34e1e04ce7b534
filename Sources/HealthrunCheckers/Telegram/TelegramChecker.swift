import AsyncHTTPClient
import Foundation
public import HealthrunCore
import NIOSSL

/// `type: telegram` — the Bot API's `getMe` (and optionally `getWebhookInfo`).
public struct TelegramChecker: Checker {
    public static let typeName = "telegram"
    /// SwiftNIO only: never blocks a thread.
    public static let mayBlock = false

    /// The fields of a telegram check.
    public struct Configuration: Decodable, Sendable {
        public var token: Secret
        public var apiURL: String?
        public var expect: Expectation?
        public var webhook: Webhook?
        public var tls: TLSOptions?

        enum CodingKeys: String, CodingKey {
            case token
            case apiURL = "api_url"
            case expect, webhook, tls
        }
    }

    /// `expect:` of a telegram check.
    public struct Expectation: Decodable, Sendable {
        /// The bot's username, with or without `@`.
        public var username: String?
    }

    /// `webhook:` of a telegram check.
    public struct Webhook: Decodable, Sendable {
        public var maxPending: Int?
        public var maxErrorAge: ConfigDuration?

        enum CodingKeys: String, CodingKey {
            case maxPending = "max_pending"
            case maxErrorAge = "max_error_age"
        }
    }

    let token: Secret
    let apiURL: String
    let username: String?
    let webhook: Webhook?
    let tlsConfiguration: TLSConfiguration?
    let http: HTTPClientProvider

    /// The Bot API's address; the token sits in the path, so the path is never shown.
    public var target: String? {
        let url = TargetText.url(apiURL)
        guard let scheme = url.firstRange(of: "://") else { return url }
        return String(url[..<(url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex)])
    }

    /// Validates the configuration.
    public init(configuration: Configuration, provider http: HTTPClientProvider) throws {
        guard !configuration.token.isEmpty else { throw ConfigValueError("token is empty", field: ["token"]) }
        let apiURL = configuration.apiURL ?? "https://api.telegram.org"
        _ = try HTTPFetcher.validateURL(apiURL, field: ["api_url"])
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        token = configuration.token
        username = configuration.expect?.username.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
        webhook = configuration.webhook
        tlsConfiguration = try configuration.tls?.makeConfiguration()
        self.http = http
    }

    private func call(_ method: String, context: CheckContext) async throws -> [String: DetailValue] {
        let spec = HTTPRequestSpec(
            url: "\(apiURL)/bot\(token.revealed())/\(method)",
            headers: [("Accept", "application/json")],
            followRedirects: false,
            maxBody: 1 << 20,
            tlsConfiguration: tlsConfiguration
        )
        let response: FetchedResponse
        do {
            response = try await HTTPFetcher.fetch(spec, client: http.client, deadline: context.ioDeadline)
        } catch let failure as CheckFailure {
            throw CheckFailure("\(method): \(failure.message)")
        }
        if response.status == 401 || response.status == 404 {
            let reason = ProviderError.message(in: response.body).map { ": \($0)" } ?? ""
            throw CheckFailure("bot token rejected (\(response.statusLine))\(reason)")
        }
        if let judged = ProviderError.judge(response, credential: "bot token"),
            judged.status == .fail || judged.status == .warn
        {
            throw CheckFailure("\(method): \(judged.message)")
        }
        guard case .object(let object) = try JSONBody.parse(response.body, truncated: response.truncated) else {
            throw CheckFailure("\(method): unexpected JSON shape: expected an object")
        }
        guard case .bool(true)? = object["ok"] else {
            let description = object["description"].map { ": \($0)" } ?? ""
            throw CheckFailure("\(method) answered ok=false\(description)")
        }
        guard case .object(let result)? = object["result"] else {
            throw CheckFailure("\(method): unexpected JSON shape: no 'result' object")
        }
        return result
    }

    public var metricNames: [String]? { ["webhook_pending_updates"] }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let me = try await call("getMe", context: context)
        guard case .bool(true)? = me["is_bot"] else {
            throw CheckFailure("getMe: the token does not belong to a bot (is_bot is not true)")
        }
        let name: String
        if case .string(let value)? = me["username"] { name = value } else { name = "?" }
        let id = me["id"]?.description ?? "?"
        var details: [String: DetailValue] = ["username": .string(name), "id": me["id"] ?? .null]
        var message = "@\(name) (id \(id))"
        if let username, username.lowercased() != name.lowercased() {
            return .fail("bot is @\(name), expected @\(username)", details: details)
        }
        guard let webhook else { return .ok(message, details: details) }
        let info = try await call("getWebhookInfo", context: context)
        var problems: [String] = []
        var metrics: [Metric] = []
        if case .int(let pending)? = info["pending_update_count"] {
            details["pending_update_count"] = .int(pending)
            metrics.append(Metric("webhook_pending_updates", Double(pending), unit: .count))
            if let maxPending = webhook.maxPending, pending > maxPending {
                problems.append("\(pending) updates pending (more than \(maxPending))")
            }
        }
        if case .int(let errorDate)? = info["last_error_date"], let maxAge = webhook.maxErrorAge {
            let age = Date().timeIntervalSince1970 - Double(errorDate)
            details["last_error_date"] = .int(errorDate)
            if age < maxAge.duration.seconds {
                let text = info["last_error_message"].map { ": \($0)" } ?? ""
                problems.append("webhook error \(Int(age))s ago\(text)")
            }
        }
        if case .string(let url)? = info["url"] { details["webhook_url"] = .string(url) }
        guard problems.isEmpty else {
            message += "; " + problems.joined(separator: "; ")
            return .warn(message, details: details, metrics: metrics)
        }
        return .ok(message, details: details, metrics: metrics)
    }
}
