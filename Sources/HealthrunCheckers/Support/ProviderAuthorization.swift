import AsyncHTTPClient
import Foundation
import HealthrunCore
import NIOHTTP1
import NIOSSL

/// How a request to an LLM provider is authorised, from the fields `models`, `completion` and
/// `usage` share: `api_key` (the provider's own header), `auth:` (bearer, header, basic,
/// oauth2), or GigaChat's `auth_key` with `scope` and `token_url` (a token step first).
struct ProviderAuthorization: Sendable {
    enum Method: Sendable {
        case none
        case headers([(name: String, value: String)])
        /// A token step first: POST `form` to `url` with `headers`, then Bearer the `access_token`.
        case tokenExchange(url: String, headers: [(name: String, value: String)], form: String)
    }

    static let anthropicVersion = "2023-06-01"
    static let gigachatTokenURL = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"

    let method: Method
    let provider: ModelProvider

    /// Validates the fields; `checkType` names the check in messages.
    init(
        apiKey: Secret?, auth: ModelsAuth?, authKey: Secret?, scope: String?, tokenURL: String?,
        provider: ModelProvider, checkType: String
    ) throws {
        self.provider = provider
        var ways = 0
        if apiKey != nil { ways += 1 }
        if authKey != nil { ways += 1 }
        if let auth {
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
        if let auth {
            if let bearer = auth.bearer {
                method = .headers([("Authorization", "Bearer \(bearer.revealed())")])
            } else if let header = auth.header {
                method = .headers([(header.name, header.value.revealed())])
            } else if let basic = auth.basic {
                let encoded = Data("\(basic.username):\(basic.password.revealed())".utf8).base64EncodedString()
                method = .headers([("Authorization", "Basic \(encoded)")])
            } else {
                let oauth2 = auth.oauth2!
                _ = try HTTPFetcher.validateURL(oauth2.tokenURL, field: ["auth", "oauth2", "token_url"])
                var form = "grant_type=client_credentials"
                if let scope = oauth2.scope { form += "&scope=\(Self.formEncode(scope))" }
                method = .tokenExchange(
                    url: oauth2.tokenURL,
                    headers: [("Authorization", Self.withScheme(oauth2.authorization.revealed(), "Basic"))]
                        + (oauth2.headers?.fields ?? []),
                    form: form)
            }
            return
        }
        if provider == .gigachat {
            guard let authKey else {
                throw ConfigValueError(
                    "a gigachat \(checkType) check needs 'auth_key'", hint: "auth_key: ${GIGACHAT_AUTH_KEY}")
            }
            let tokenURL = tokenURL ?? Self.gigachatTokenURL
            _ = try HTTPFetcher.validateURL(tokenURL, field: ["token_url"])
            method = .tokenExchange(
                url: tokenURL,
                headers: [("Authorization", Self.withScheme(authKey.revealed(), "Basic"))],
                form: "scope=\(Self.formEncode(scope ?? "GIGACHAT_API_PERS"))")
            return
        }
        if authKey != nil {
            throw ConfigValueError(
                "auth_key is for provider gigachat", field: ["auth_key"], hint: "use api_key or auth")
        }
        guard let apiKey else {
            method = .none
            return
        }
        switch provider {
        case .anthropic:
            method = .headers([("x-api-key", apiKey.revealed())])
        default:
            method = .headers([("Authorization", "Bearer \(apiKey.revealed())")])
        }
    }

    /// `extra` (the check's own `headers:`), then the authorisation (after the token step, when
    /// there is one), then `anthropic-version` for Anthropic unless `extra` sets it.
    func headers(
        with extra: [(name: String, value: String)], client: HTTPClient, tls: TLSConfiguration?,
        context: CheckContext
    ) async throws -> [(name: String, value: String)] {
        var headers = extra
        switch method {
        case .none:
            break
        case .headers(let fields):
            headers += fields
        case .tokenExchange(let url, let tokenHeaders, let form):
            let token = try await Self.exchangeToken(
                url: url, headers: tokenHeaders, form: form, client: client, tls: tls, context: context)
            headers.append(("Authorization", "Bearer \(token)"))
        }
        if provider == .anthropic, !extra.contains(where: { $0.name.lowercased() == "anthropic-version" }) {
            headers.append(("anthropic-version", Self.anthropicVersion))
        }
        return headers
    }

    private static func exchangeToken(
        url: String,
        headers: [(name: String, value: String)],
        form: String,
        client: HTTPClient,
        tls: TLSConfiguration?,
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
            tlsConfiguration: tls
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

    static func withScheme(_ value: String, _ scheme: String) -> String {
        value.contains(" ") ? value : "\(scheme) \(value)"
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
