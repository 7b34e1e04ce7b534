import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct TelegramCheckerTests {
    static let token = "987654321:AAcanaryTOKENcanaryTOKENcanary00"

    @Test func getMeNamesTheBot() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.telegram(token: Self.token, username: "my_bot", id: 123456789))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "telegram", "token: ${TELEGRAM_BOT_TOKEN}\napi_url: \(server.baseURL)\nexpect: {username: \"@my_bot\"}"),
            environment: ["TELEGRAM_BOT_TOKEN": Self.token]
        )
        #expect(run.result.status == .ok)
        #expect(run.result.message == "@my_bot (id 123456789)")
    }

    @Test func aRejectedTokenNeverAppearsInAnyOutput() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.telegram(token: "111:right-token-right-token"))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("telegram", "token: \(Self.token)\napi_url: \(server.baseURL)"))
        #expect(run.result.message == "bot token rejected (401 Unauthorized): Unauthorized")
        #expect(!run.allOutput.contains(Self.token))
        #expect(!run.allOutput.contains("AAcanaryTOKEN"))
    }

    @Test func aTokenInTheURLOfAFailedConnectionIsMasked() async throws {
        let port = try await refusedPort()
        let server = try await LoopbackHTTPServer { _ in
            .redirect(to: "http://127.0.0.1:\(port)/bot\(Self.token)/getMe")
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("telegram", "token: \(Self.token)\napi_url: \(server.baseURL)"))
        #expect(run.result.status == .fail)
        #expect(!run.allOutput.contains("AAcanaryTOKEN"), "\(run.result.message)")
    }

    @Test(arguments: [
        (
            50, nil as TimeInterval?, CheckStatus.warn,
            "@healthrun_demo_bot (id 123456789); 50 updates pending (more than 10)"
        ),
        (0, 120, .warn, "@healthrun_demo_bot (id 123456789); webhook error 120s ago: Connection timed out"),
        (0, 7200, .ok, "@healthrun_demo_bot (id 123456789)"),
    ])
    func webhookHealth(pending: Int, errorAgo: TimeInterval?, status: CheckStatus, message: String) async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.telegram(token: Self.token, pendingUpdates: pending, lastErrorAgo: errorAgo)
        )
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "telegram",
                "token: \(Self.token)\napi_url: \(server.baseURL)\nwebhook: {max_pending: 10, max_error_age: 1h}")
        )
        #expect(run.result.status == status)
        #expect(run.result.message.replacingOccurrences(of: "121s", with: "120s") == message)
    }

    @Test func wrongBotFails() async throws {
        let server = try await LoopbackHTTPServer(
            handler: ProviderImitations.telegram(token: Self.token, username: "other_bot"))
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "telegram", "token: \(Self.token)\napi_url: \(server.baseURL)\nexpect: {username: my_bot}"))
        #expect(run.result.message == "bot is @other_bot, expected @my_bot")
    }
}
