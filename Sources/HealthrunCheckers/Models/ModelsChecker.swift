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

    /// How the listing request is authorised.
    enum Authorization: Sendable {
        case none
        case headers([(name: String, value: String)])
        /// A token step first: POST `form` to `url` with `headers`, then Bearer the `access_token`.
        case tokenExchange(url: String, headers: [(name: String, value: String)], form: String)
    }

    static let maximumPages = 20
    static let anthropicVersion = "2023-06-01"
    static let gigachatTokenURL = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"

    let provider: ModelProvider
    let url: String
    let authorization: Authorization
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
        authorization = try Self.authorization(configuration, provider: provider)
    }

    private static func authorization(_ configuration: Configuration, provider: ModelProvider) throws -> Authorization {
        var ways = 0
        if configuration.apiKey != nil { ways += 1 }
        if configuration.authKey != nil { ways += 1 }
        if let auth = configuration.auth {
            let inside = [auth.bearer != nil, auth.header != nil, auth.basic != nil, auth.oauth2 != nil].filter { $0 }
                .count
            guard inside == 1 else {
                throw ConfigValueError("'auth' needs exactly one of bearer, header, basic, oauth2", field: ["auth"])
            }
            ways += 1
        }
        guard ways <= 1 else {
            throw ConfigValueError(
                "give one of api_key, auth_key and auth, not several", hint: "keep the one your provider uses")
        }
        if let auth = configuration.auth {
            if let bearer = auth.bearer { return .headers([("Authorization", "Bearer \(bearer.revealed())")]) }
            if let header = auth.header { return .headers([(header.name, header.value.revealed())]) }
            if let basic = auth.basic {
                let encoded = Data("\(basic.username):\(basic.password.revealed())".utf8).base64EncodedString()
                return .headers([("Authorization", "Basic \(encoded)")])
            }
            if let oauth2 = auth.oauth2 {
                _ = try HTTPFetcher.validateURL(oauth2.tokenURL, field: ["auth", "oauth2", "token_url"])
                var form = "grant_type=client_credentials"
                if let scope = oauth2.scope { form += "&scope=\(Self.formEncode(scope))" }
                return .tokenExchange(
                    url: oauth2.tokenURL,
                    headers: [("Authorization", Self.withScheme(oauth2.authorization.revealed(), "Basic"))]
                        + (oauth2.headers?.fields ?? []),
                    form: form
                )
            }
        }
        if provider == .gigachat {
            guard let authKey = configuration.authKey else {
                throw ConfigValueError(
                    "a gigachat models check needs 'auth_key'", hint: "auth_key: ${GIGACHAT_AUTH_KEY}")
            }
            let tokenURL = configuration.tokenURL ?? gigachatTokenURL
            _ = try HTTPFetcher.validateURL(tokenURL, field: ["token_url"])
            return .tokenExchange(
                url: tokenURL,
                headers: [("Authorization", Self.withScheme(authKey.revealed(), "Basic"))],
                form: "scope=\(Self.formEncode(configuration.scope ?? "GIGACHAT_API_PERS"))"
            )
        }
        if configuration.authKey != nil {
            throw ConfigValueError(
                "auth_key is for provider gigachat", field: ["auth_key"], hint: "use api_key or auth")
        }
        guard let apiKey = configuration.apiKey else { return .none }
        switch provider {
        case .anthropic:
            return .headers([("x-api-key", apiKey.revealed()), ("anthropic-version", anthropicVersion)])
        default:
            return .headers([("Authorization", "Bearer \(apiKey.revealed())")])
        }
    }

    static func withScheme(_ value: String, _ scheme: String) -> String {
        value.contains(" ") ? value : "\(scheme) \(value)"
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    public var metricNames: [String]? { ["model_count"] + RateLimitHeaders.metricNames }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let client = http.client
        let start = ContinuousClock.now
        var headers = extraHeaders
        switch authorization {
        case .none:
            break
        case .headers(let authHeaders):
            headers += authHeaders
        case .tokenExchange(let tokenURL, let tokenHeaders, let form):
            let token = try await exchangeToken(
                url: tokenURL, headers: tokenHeaders, form: form, client: client, context: context)
            headers.append(("Authorization", "Bearer \(token)"))
        }
        if provider == .anthropic, !headers.contains(where: { $0.name.lowercased() == "anthropic-version" }) {
            headers.append(("anthropic-version", Self.anthropicVersion))
        }
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

    private func exchangeToken(
        url: String,
        headers: [(name: String, value: String)],
        form: String,
        client: HTTPClient,
        context: CheckContext
    ) async throws -> String {
        let spec = HTTPRequestSpec(
            url: url,
            method: .POST,
            headers: headers + [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                ("RqUID", UUID().uuidString.lowercased()),
            ],
            body: Array(form.utf8),
            followRedirects: false,
            maxBody: 1 << 20,
            tlsConfiguration: tlsConfiguration
        )
        let response: FetchedResponse
        do {
            response = try await HTTPFetcher.fetch(spec, client: client, deadline: context.ioDeadline)
        } catch let failure as CheckFailure {
            throw CheckFailure("token request: \(failure.message)")
        }
        if let judged = ProviderError.judge(response, credential: "authorization key") {
            throw CheckFailure("token request: \(judged.message)")
        }
        let document: DetailValue
        do {
            document = try JSONBody.parse(response.body, truncated: response.truncated)
        } catch let failure as CheckFailure {
            throw CheckFailure("token request: \(failure.message)")
        }
        guard case .object(let object) = document, case .string(let token)? = object["access_token"], !token.isEmpty
        else {
            throw CheckFailure("token request: no access_token in the response")
        }
        context.redactor.register(token)
        return token
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
