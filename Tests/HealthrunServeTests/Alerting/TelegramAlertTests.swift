import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

@Suite struct TelegramAlertTests {
    static let token = "7311111111:AAHfakeTOKENfakeTOKENfakeTOKEN1234567"

    /// A Bot API that records `sendMessage` and answers as Telegram documents it.
    static func botAPI(failing: Bool = false) async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer { request in
            guard request.method == "POST", request.path == "/bot\(token)/sendMessage" else {
                return .json(404, #"{"ok":false,"error_code":404,"description":"Not Found"}"#)
            }
            if failing {
                return .json(500, #"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#)
            }
            return .json(
                200,
                #"{"ok":true,"result":{"message_id":1,"date":1764000000,"chat":{"id":-100123,"type":"supergroup"},"text":"x"}}"#
            )
        }
    }

    static func configuration(api: String, outcomes: [CheckOutcome]) -> LoadedConfiguration {
        let redactor = Redactor()
        redactor.register(token)
        let (db, _) = ServeHarness.check(
            "postgres", outcomes, alert: AlertPolicy(after: 2, resolveAfter: 2, channels: ["telegram"]))
        return LoadedConfiguration(
            checks: [db], redactor: redactor,
            alerting: AlertingConfiguration(
                telegram: .init(token: Secret(token), chatID: "-100123", apiURL: api)))
    }

    static func messages(_ server: LoopbackHTTPServer) -> [[String: Any]] {
        server.requests.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }
    }

    @Test func downThenUpReachTheBotAPIAndARestartSendsNoSecondDown() async throws {
        let api = try await Self.botAPI()
        defer { Task { await api.close() } }
        // Fails 3 times (DOWN after 2), then passes (UP after 2).
        let outcomes: [CheckOutcome] = [
            .fail("connection refused to 127.0.0.1:5432"), .fail("connection refused to 127.0.0.1:5432"),
            .fail("connection refused to 127.0.0.1:5432"), .ok("select 1"),
        ]
        let harness = try await ServeHarness(configuration: Self.configuration(api: api.baseURL, outcomes: outcomes))
        try await harness.waitUntil("DOWN and UP", limit: .seconds(8)) {
            Self.messages(api).contains { ($0["text"] as? String)?.contains("UP postgres") == true }
        }
        await harness.stop()
        let messages = Self.messages(api)
        // One DOWN, then one UP (normally two messages; one if a stalled machine put both in
        // the same grouping window).
        let lines = messages.compactMap { $0["text"] as? String }.flatMap { $0.split(separator: "\n") }.map(String.init)
        #expect(messages.allSatisfy { $0["chat_id"] as? String == "-100123" })
        #expect(
            lines.filter { $0.contains("DOWN postgres") } == ["🔴 DOWN postgres: connection refused to 127.0.0.1:5432"],
            "\(lines)")
        #expect(lines.filter { $0.contains("UP postgres after") }.count == 1, "\(lines)")
        let downLine = try #require(lines.firstIndex { $0.contains("DOWN postgres") })
        let upLine = try #require(lines.firstIndex { $0.contains("UP postgres after") })
        #expect(downLine < upLine)
        #expect(api.requests.allSatisfy { $0.header("Content-Type") == "application/json" })

        // A restart on the same file while the check is down again: one DOWN, not two.
        let down = try await Self.botAPI()
        defer { Task { await down.close() } }
        let failing = Self.configuration(api: down.baseURL, outcomes: [.fail("refused")])
        let first = try await ServeHarness(configuration: failing, dbPath: harness.dbPath)
        try await first.waitUntil("DOWN") { Self.messages(down).count == 1 }
        await first.stop()
        let second = try await ServeHarness(configuration: failing, dbPath: harness.dbPath)
        // Eight more failing runs after the restart: each could have sent a second DOWN.
        let before = try await second.resultCount("postgres")
        try await second.waitUntil("8 more failing runs") { try await second.resultCount("postgres") >= before + 8 }
        await second.stop()
        #expect(Self.messages(down).count == 1, "\(Self.messages(down))")
        #expect(try ResultStore(path: harness.dbPath).integrityCheck() == "ok")
    }

    @Test func aFailingBotAPIIsRetriedCountedAndNeverLeaksTheToken() async throws {
        let api = try await Self.botAPI(failing: true)
        defer { Task { await api.close() } }
        let harness = try await ServeHarness(
            configuration: Self.configuration(api: api.baseURL, outcomes: [.fail("refused")]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("5 attempts", limit: .seconds(8)) { api.requests.count >= 5 }
        try await harness.waitUntil("the failure counted") { harness.runtime.alertCounters.failed == 1 }
        #expect(harness.runtime.alertCounters.retries == 4)
        let metrics = try await harness.get("/metrics").body
        #expect(metrics.contains("healthrun_serve_alerts_failed_total 1"))
        for path in ["/metrics", "/", "/api/v1/status", "/checks/postgres", "/api/v1/events"] {
            let body = try await harness.get(path).body
            #expect(!body.contains(Self.token) && !body.contains("AAHfakeTOKEN"), "\(path)")
        }
    }
}
