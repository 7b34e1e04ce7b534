import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct ModelsCheckerTests {
    static let key = "sk-canary-models-0123456789abcdef"

    @Test func llmProxyListsModelsAsThePanelDid() async throws {
        let server = try await LoopbackHTTPServer(handler: ProviderImitations.llmProxy(apiKey: Self.key))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models",
                "url: \(server.baseURL)/v1/models\napi_key: ${PROXY_API_KEY}\nexpect: {models: [sonnet, opus]}"),
            environment: ["PROXY_API_KEY": Self.key]
        )
        #expect(run.result.status == .ok)
        #expect(run.result.message == "2 models: Claude Sonnet 4.5 (sonnet), Claude Opus 4 (opus)")
        #expect(run.result.details["models"] == .array(["sonnet", "opus"]))
    }

    @Test func openAIRejectedKeyIsMaskedEvenWhenTheProviderEchoesIt() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.openAI(apiKey: "sk-the-right-key-000000000"))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("models", "provider: openai\nurl: \(server.baseURL)/v1/models\napi_key: \(Self.key)")
        )
        #expect(run.result.status == .fail)
        #expect(
            run.result.message.hasPrefix("API key rejected (401 Unauthorized): Incorrect API key provided: sk-c…cdef."))
        #expect(!run.allOutput.contains(Self.key))
        #expect(!run.allOutput.contains(String(Self.key.dropFirst(4).prefix(9))))
    }

    @Test func anthropicPagesAreFollowed() async throws {
        let models = (1...7).map { (id: "claude-\($0)", name: "Claude \($0)") }
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropic(apiKey: Self.key, models: models, pageLimit: 3))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models",
                "provider: anthropic\nurl: \(server.baseURL)/v1/models\napi_key: \(Self.key)\nexpect: {models: [claude-7], min_models: 7}"
            )
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.details["count"] == .int(7))
        #expect(run.result.details["pages"] == .int(3))
        let sent = server.requests
        #expect(
            sent.allSatisfy { $0.header("x-api-key") == Self.key && $0.header("anthropic-version") == "2023-06-01" })
        #expect(sent.map { $0.query("after_id") } == [nil, "claude-3", "claude-6"])
    }

    @Test func gigaChatTokenStepThenModels() async throws {
        let authKey = Data("client-id:client-secret-canary".utf8).base64EncodedString()
        let token = "giga-token-canary-0123456789"
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.gigaChat(authKey: authKey, accessToken: token))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models",
                "provider: gigachat\nurl: \(server.baseURL)/api/v1/models\ntoken_url: \(server.baseURL)/api/v2/oauth\nauth_key: ${GIGACHAT_AUTH_KEY}\nexpect: {models: [GigaChat-Pro]}"
            ),
            environment: ["GIGACHAT_AUTH_KEY": authKey]
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message == "3 models: GigaChat, GigaChat-Pro, GigaChat-Max")
        let tokenRequest = try #require(server.requests.first)
        #expect(tokenRequest.method == "POST")
        #expect(tokenRequest.bodyText == "scope=GIGACHAT_API_PERS")
        #expect(tokenRequest.header("content-type") == "application/x-www-form-urlencoded")
        #expect(UUID(uuidString: tokenRequest.header("rquid") ?? "") != nil)
    }

    @Test func gigaChatWrongKeyFailsAtTheTokenStep() async throws {
        let server = try await LoopbackHTTPServer(handler: ProviderImitations.gigaChat(authKey: "right"))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models",
                "provider: gigachat\nurl: \(server.baseURL)/api/v1/models\ntoken_url: \(server.baseURL)/api/v2/oauth\nauth_key: wrong-key-canary-123"
            )
        )
        #expect(
            run.result.message
                == "token request: authorization key rejected (401 Unauthorized): Can't decode 'Authorization' header")
    }

    @Test(arguments: [
        (
            Behaviour.json(429, #"{"error":{"message":"Rate limit reached"}}"#, headers: [("Retry-After", "20")]),
            CheckStatus.warn, "rate limited (429 Too Many Requests): Rate limit reached; retry after 20s"
        ),
        (.json(503, #"{"error":{"message":"overloaded"}}"#), .fail, "server error 503 Service Unavailable: overloaded"),
        (
            .json(403, #"{"message":"forbidden for this key"}"#), .fail,
            "API key rejected (403 Forbidden): forbidden for this key"
        ),
        (.text(200, "<html>not json"), .fail, "invalid JSON in response: <html>not json"),
        (.json(200, #"{"items":[]}"#), .fail, "unexpected JSON shape: no 'data' or 'models' list (keys: items)"),
        (.json(200, ""), .fail, "empty response body, expected JSON"),
        (.json(200, #"{"data":[]}"#), .fail, "0 models listed, expected at least 1"),
        (.json(200, #"["a","b"]"#), .ok, "2 models: a, b"),
        (.json(200, #"{"models":[{"model":"llama3","name":"Llama 3"}]}"#), .ok, "1 model: Llama 3 (llama3)"),
        (
            .json(200, #"{"data":[{"object":"model"}]}"#), .fail,
            "unexpected JSON shape: 1 list entries have no id or name"
        ),
    ])
    func providerAnswers(behaviour: Behaviour, status: CheckStatus, message: String) async throws {
        let server = try await LoopbackHTTPServer { _ in behaviour }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("models", "url: \(server.baseURL)/v1/models\napi_key: \(Self.key)"))
        #expect(run.result.status == status)
        #expect(run.result.message == message)
    }

    @Test func aMissingModelIsNamedWithWhatExists() async throws {
        let server = try await LoopbackHTTPServer(handler: ProviderImitations.llmProxy(apiKey: Self.key))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models", "url: \(server.baseURL)/v1/models\napi_key: \(Self.key)\nexpect: {models: [haiku]}")
        )
        #expect(run.result.message == "model 'haiku' not found; available: sonnet, opus")
    }

    @Test(arguments: [
        ("auth: {bearer: KEY}", "Authorization", "Bearer KEY"),
        ("auth: {header: {name: X-Token, value: KEY}}", "X-Token", "KEY"),
        ("auth: {basic: {username: u, password: KEY}}", "Authorization", "Basic dTpLRVk="),
    ])
    func explicitAuth(auth: String, header: String, value: String) async throws {
        let server = try await LoopbackHTTPServer { request in
            request.header(header) == value ? .json(200, #"["m"]"#) : .json(401, #"{"error":"no"}"#)
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(CheckHarness.check("models", "url: \(server.baseURL)/v1/models\n\(auth)"))
        #expect(run.result.status == .ok, "\(run.result.message)")
    }

    @Test func oauth2ClientCredentials() async throws {
        let server = try await LoopbackHTTPServer { request in
            if request.path == "/token" {
                guard request.header("authorization") == "Basic Y2xpZW50OnNlY3JldA==",
                    request.bodyText == "grant_type=client_credentials&scope=models.read"
                else { return .json(401, #"{"error":"invalid_client"}"#) }
                return .json(200, #"{"access_token":"issued-token-000111222","token_type":"bearer","expires_in":3600}"#)
            }
            return request.header("authorization") == "Bearer issued-token-000111222"
                ? .json(200, #"{"data":[{"id":"m1"}]}"#) : .json(401, "{}")
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models",
                "url: \(server.baseURL)/v1/models\nauth: {oauth2: {token_url: \(server.baseURL)/token, authorization: Y2xpZW50OnNlY3JldA==, scope: models.read}}"
            )
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(!run.allOutput.contains("issued-token-000111222"))
    }
}

@Suite struct ModelsOverTLSTests {
    /// GigaChat's certificate chains to a root common trust stores lack: `tls.ca_file` must
    /// cover both the token step and the listing.
    @Test func gigaChatWithItsOwnRoot() async throws {
        let certificates = try await HTTPTLSTests.certificates.value
        let authKey = "Z2lnYTpjaGF0LWNhbmFyeQ=="
        let server = try await LoopbackHTTPServer(
            tls: (certificates.path("server.pem"), certificates.path("server-key.pem")),
            handler: ProviderImitations.gigaChat(authKey: authKey)
        )
        defer { Task { await server.close() } }
        let fields =
            "provider: gigachat\nurl: \(server.baseURL)/api/v1/models\ntoken_url: \(server.baseURL)/api/v2/oauth\nauth_key: \(authKey)"
        let untrusted = try await CheckHarness.run(CheckHarness.check("models", fields))
        #expect(untrusted.result.message == "token request: TLS: certificate not trusted (127.0.0.1:\(server.port))")
        let trusted = try await CheckHarness.run(
            CheckHarness.check("models", fields + "\ntls: {ca_file: \(certificates.path("ca.pem"))}"))
        #expect(trusted.result.status == .ok, "\(trusted.result.message)")
        #expect(trusted.result.message == "3 models: GigaChat, GigaChat-Pro, GigaChat-Max")
    }
}
