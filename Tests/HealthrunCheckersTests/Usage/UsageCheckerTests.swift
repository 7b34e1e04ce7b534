import Foundation
import HealthrunCore
import HealthrunTesting
import Logging
import Testing

@testable import HealthrunCheckers

/// Spend, tokens and balances from the providers' own reports, against loopback imitations of
/// their documented answers (pagination and Anthropic's cents strings included).
@Suite struct UsageCheckerTests {
    static let adminKey = "sk-ant-admin01-canary-usage-0123456789abcdef"
    /// 2025-12-15T10:00:00Z: the month began on the 1st, today is the 15th.
    static let now = Date(timeIntervalSince1970: 1_765_792_800)

    /// Runs one attempt of a usage check built with a pinned clock.
    static func run(_ configuration: UsageChecker.Configuration) async throws -> CheckOutcome {
        let http = HTTPClientProvider(concurrency: 4)
        let checker = try UsageChecker(configuration: configuration, provider: http, now: { Self.now })
        let redactor = Redactor()
        let context = CheckContext(
            name: "usage", deadline: .now + .seconds(5), timeout: .seconds(5), attempt: 1,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, redactor: redactor)
        let outcome = try await checker.check(context)
        await http.shutdown()
        return outcome
    }

    static func value(_ outcome: CheckOutcome, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        outcome.metrics.first { $0.name == name && $0.labels == labels }?.value
    }

    @Test func anthropicTokensByModelAndCostTodayAndThisMonthAcrossPages() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicAdmin(apiKey: Self.adminKey, today: "2025-12-15"))
        defer { Task { await server.close() } }
        let outcome = try await Self.run(
            .init(provider: .anthropic, url: server.baseURL + "/", apiKey: Secret(Self.adminKey)))
        #expect(outcome.status == .ok, "\(outcome.message)")
        let sonnet = "claude-sonnet-4-5-20250929"
        let opus = "claude-opus-4-1-20250805"
        func tokens(_ model: String, _ type: String, _ window: String) -> Double? {
            Self.value(outcome, "tokens", ["model": model, "type": type, "window": window])
        }
        #expect(tokens(sonnet, "input", "month") == 2000 && tokens(sonnet, "input", "today") == 1000)
        #expect(tokens(sonnet, "output", "month") == 1000 && tokens(sonnet, "cache_read", "month") == 600)
        #expect(tokens(sonnet, "cache_write", "month") == 600 && tokens(sonnet, "cache_write", "today") == 300)
        #expect(tokens(opus, "input", "month") == 2000 && tokens(opus, "input", "today") == 0)
        // "1234.5" and "250.00" are cents.
        #expect(abs((Self.value(outcome, "cost_usd", ["window": "month"]) ?? 0) - 14.845) < 1e-9)
        #expect(Self.value(outcome, "cost_usd", ["window": "today"]) == 2.5)
        #expect(outcome.message == "this month 6,300 tokens, $14.85; today 2,100 tokens, $2.5", "\(outcome.message)")
        let paths = server.requests.map { "\($0.path)?page=\($0.query("page") ?? "-")" }
        #expect(
            paths == [
                "/v1/organizations/usage_report/messages?page=-", "/v1/organizations/usage_report/messages?page=page_2",
                "/v1/organizations/cost_report?page=-", "/v1/organizations/cost_report?page=page_2",
            ])
        #expect(server.requests.allSatisfy { $0.query("starting_at") == "2025-12-01T00:00:00Z" })
        #expect(server.requests.allSatisfy { $0.header("anthropic-version") == "2023-06-01" })
    }

    @Test func openAIUsageAndCostsAcrossPages() async throws {
        let key = "sk-admin-canary-usage-0123456789abcdef"
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.openAIAdmin(apiKey: key, monthStart: 1_764_547_200, today: 1_765_756_800))
        defer { Task { await server.close() } }
        let outcome = try await Self.run(.init(provider: .openai, url: server.baseURL, apiKey: Secret(key)))
        #expect(outcome.status == .ok, "\(outcome.message)")
        let model = "gpt-4o-mini-2024-07-18"
        #expect(Self.value(outcome, "tokens", ["model": model, "type": "input", "window": "month"]) == 8000)
        #expect(Self.value(outcome, "tokens", ["model": model, "type": "cache_read", "window": "today"]) == 1000)
        #expect(Self.value(outcome, "requests", ["model": model, "window": "month"]) == 80)
        #expect(Self.value(outcome, "requests", ["model": model, "window": "today"]) == 40)
        #expect(abs((Self.value(outcome, "cost_usd", ["window": "month"]) ?? 0) - 0.08) < 1e-9)
        #expect(server.requests.count == 4)
        #expect(server.requests.first?.query("group_by") == "model")
    }

    @Test func gigaChatBalancePerServiceAfterTheTokenStep() async throws {
        let authKey = Data("client-id:client-secret-usage".utf8).base64EncodedString()
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.gigaChat(authKey: authKey, accessToken: "giga-usage-token-0123"))
        defer { Task { await server.close() } }
        let outcome = try await Self.run(
            .init(
                provider: .gigachat, url: server.baseURL, authKey: Secret(authKey),
                tokenURL: server.baseURL + "/api/v2/oauth"))
        #expect(outcome.status == .ok)
        #expect(
            outcome.message == "balance: GigaChat 84,000 tokens, GigaChat-Pro 12,000 tokens, embeddings 500,000 tokens")
        #expect(Self.value(outcome, "balance", ["service": "GigaChat"]) == 84_000)
        #expect(server.requests.map(\.path) == ["/api/v2/oauth", "/api/v1/balance"])
    }

    @Test func aPostpaidGigaChatAccountWarnsInsteadOfFailing() async throws {
        let authKey = Data("client-id:client-secret-usage".utf8).base64EncodedString()
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.gigaChat(authKey: authKey, prepaid: false))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "usage",
                "provider: gigachat\nurl: \(server.baseURL)\ntoken_url: \(server.baseURL)/api/v2/oauth\nauth_key: \(authKey)"
            ))
        #expect(run.result.status == .warn)
        #expect(run.result.message == "balance is only available to prepaid accounts (403 Forbidden)")
        #expect(!run.allOutput.contains(authKey))
    }

    @Test func openRouterCreditsAndSpendWithAThresholdOnTheBalance() async throws {
        let key = "sk-or-v1-canary-usage-0123456789abcdef"
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.openRouter(apiKey: key, limitRemaining: 4.5))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "usage",
                """
                provider: openrouter
                url: \(server.baseURL)
                api_key: \(key)
                thresholds:
                  - {metric: balance, warn_below: 10}
                """))
        #expect(run.result.status == .warn, "\(run.result.message)")
        #expect(
            run.result.message
                == "$4.5 of $100 left; today $1.25; this month $10.2; balance{service=openrouter} $4.5 < $10",
            "\(run.result.message)")
        #expect(!run.allOutput.contains(key))
    }

    @Test func aRejectedAdminKeyFailsAndIsNeverShown() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropicAdmin(apiKey: "sk-ant-admin01-the-right-one", today: "2026-12-15"))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("usage", "provider: anthropic\nurl: \(server.baseURL)\napi_key: \(Self.adminKey)"))
        #expect(run.result.status == .fail)
        #expect(run.result.message == "API key rejected (401 Unauthorized): invalid x-api-key")
        #expect(!run.allOutput.contains(Self.adminKey))
    }

    @Test(arguments: [
        ("api_key: x", "a usage check needs 'provider'"),
        ("provider: anthropic", "usage from anthropic needs 'api_key'"),
        ("provider: openia\napi_key: x", "did you mean 'openai'?"),
    ])
    func configurationMistakes(fields: String, message: String) async throws {
        do {
            _ = try await CheckHarness.run(CheckHarness.check("usage", fields))
            Issue.record("loaded: \(fields)")
        } catch let error as ConfigurationError {
            let text = error.diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains(message), "\(text)")
        }
    }
}
