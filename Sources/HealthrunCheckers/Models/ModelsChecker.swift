import AsyncHTTPClient
import Foundation
public import HealthrunCore
import NIOHTTP1
import NIOSSL

/// `type: models` — an authenticated model listing (OpenAI, Anthropic, GigaChat, generic),
/// following pages, judged by the models it must list.
public struct ModelsChecker: Checker {
    public static let typeName = "models"
    /// SwiftNIO only: never blocks a thread.
    public static let mayBlock = false

    /// The fields of a models check.
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
        public var expect: ModelsExpectation?

        enum CodingKeys: String, CodingKey {
            case provider, url
            case apiKey = "api_key"
            case auth
            case authKey = "auth_key"
            case scope
            case tokenURL = "token_url"
            case headers, tls, expect
        }
    }

    static let maximumPages = 20

    let provider: ModelProvider
    let url: String
    let authorization: ProviderAuthorization
    let extraHeaders: [(name: String, value: String)]
    let tlsConfiguration: TLSConfiguration?
    let expectedModels: [String]
    let minModels: Int
    let http: HTTPClientProvider

    public var target: String? { TargetText.url(url) }

    /// Validates the configuration.
    public init(configuration: Configuration, provider http: HTTPClientProvider) throws {
        let provider = configuration.provider ?? .generic
        guard let url = configuration.url ?? provider.defaultURL else {
            throw ConfigValueError(
                "a generic models check needs a 'url'", hint: "add 'url: ${BASE_URL}/v1/models', or set 'provider'")
        }
        _ = try HTTPFetcher.validateURL(url, field: ["url"])
        self.provider = provider
        self.url = url
        self.http = http
        extraHeaders = configuration.headers?.fields ?? []
        tlsConfiguration = try configuration.tls?.makeConfiguration()
        expectedModels = configuration.expect?.models ?? []
        minModels = configuration.expect?.minModels ?? (expectedModels.isEmpty ? 1 : 0)
        guard minModels >= 0 else {
            throw ConfigValueError("min_models must be 0 or more", field: ["expect", "min_models"])
        }
        authorization = try ProviderAuthorization(
            apiKey: configuration.apiKey, auth: configuration.auth, authKey: configuration.authKey,
            scope: configuration.scope, tokenURL: configuration.tokenURL, provider: provider, checkType: "models")
    }

    public var metricNames: [String]? { ["model_count"] + RateLimitHeaders.metricNames }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let client = http.client
        let start = ContinuousClock.now
        var headers = try await authorization.headers(
            with: extraHeaders, client: client, tls: tlsConfiguration, context: context)
        headers.append(("Accept", "application/json"))
        var models: [ModelEntry] = []
        var pageURL = provider == .anthropic ? Self.adding("limit", "1000", to: url) : url
        var pages = 0
        var rateLimits: [Metric] = []
        while true {
            pages += 1
            let spec = HTTPRequestSpec(
                url: pageURL, headers: headers, maxBody: 8 << 20, tlsConfiguration: tlsConfiguration)
            let response = try await HTTPFetcher.fetch(spec, client: client, deadline: context.ioDeadline)
            if let judged = ProviderError.judge(response, credential: "API key") { return judged }
            // The headroom the provider reports with its answer (the last page's is the latest).
            rateLimits = RateLimitHeaders.metrics(response.headers.map { ($0.name, $0.value) }, now: Date())
            let page = try ModelList.parse(response.body, truncated: response.truncated)
            models += page.models
            guard let next = page.nextCursor else { break }
            guard pages < Self.maximumPages else {
                return .warn("more than \(Self.maximumPages) pages of models; stopped after \(models.count) models")
            }
            pageURL = Self.adding("after_id", next, to: Self.adding("limit", "1000", to: url))
        }
        return judge(models, latency: start.duration(to: .now), pages: pages, rateLimits: rateLimits)
    }

    private func judge(_ models: [ModelEntry], latency: Duration, pages: Int, rateLimits: [Metric]) -> CheckOutcome {
        var details: [String: DetailValue] = [
            "models": .array(models.map { .string($0.id) }),
            "count": .int(models.count),
        ]
        if pages > 1 { details["pages"] = .int(pages) }
        let metrics = [Metric("model_count", Double(models.count), unit: .count)] + rateLimits
        let listed =
            models.prefix(10).map(\.label).joined(separator: ", ")
            + (models.count > 10 ? ", +\(models.count - 10) more" : "")
        let summary = "\(models.count) model\(models.count == 1 ? "" : "s")" + (models.isEmpty ? "" : ": \(listed)")
        let missing = expectedModels.filter { wanted in
            !models.contains { $0.id == wanted || $0.name == wanted || $0.id.lowercased() == wanted.lowercased() }
        }
        if !missing.isEmpty {
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            let available =
                models.isEmpty ? "none listed" : "available: \(models.prefix(20).map(\.id).joined(separator: ", "))"
            return .fail(
                "model\(missing.count == 1 ? "" : "s") \(names) not found; \(available)", details: details,
                metrics: metrics)
        }
        if models.count < minModels {
            return .fail(
                "\(models.count) models listed, expected at least \(minModels)", details: details, metrics: metrics)
        }
        return .ok(summary, details: details, metrics: metrics)
    }

    static func adding(_ name: String, _ value: String, to url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var items = (components.queryItems ?? []).filter { $0.name != name }
        items.append(URLQueryItem(name: name, value: value))
        components.queryItems = items
        return components.string ?? url
    }
}
