import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

@Suite struct WebhookAlertTests {
    static let key = "whk_live_canary_0123456789abcdef"

    @Test func changesWithinTheWindowGoOutAsOneJSONPost() async throws {
        let hook = try await LoopbackHTTPServer { _ in .json(202, #"{"accepted":true}"#) }
        defer { Task { await hook.close() } }
        let redactor = Redactor()
        redactor.register(Self.key)
        let policy = AlertPolicy(after: 1, resolveAfter: 1)
        let (db, _) = ServeHarness.check("postgres", [.fail("connection refused to 127.0.0.1:5432")], alert: policy)
        let (bot, _) = ServeHarness.check("telegram-bot", [.fail("401 Unauthorized")], alert: policy)
        let (quiet, _) = ServeHarness.check("no-alerts", [.fail("down too")])
        let configuration = LoadedConfiguration(
            checks: [db, bot, quiet], redactor: redactor,
            alerting: AlertingConfiguration(
                webhook: .init(url: hook.baseURL + "/hooks/healthrun", headers: HeaderFields([("X-Api-Key", Self.key)]))
            ))
        let harness = try await ServeHarness(configuration: configuration, alertWindow: .milliseconds(600))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("a webhook call") { !hook.requests.isEmpty }
        try await Task.sleep(for: .milliseconds(300))
        #expect(hook.requests.count == 1, "both DOWNs in one message")
        let request = try #require(hook.requests.first)
        #expect(request.method == "POST" && request.path == "/hooks/healthrun")
        #expect(request.header("X-Api-Key") == Self.key)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(body["source"] as? String == "healthrun")
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(Set(alerts.compactMap { $0["check"] as? String }) == ["postgres", "telegram-bot"])
        #expect(alerts.allSatisfy { $0["state"] as? String == "down" && $0["at"] is String })
        #expect((body["text"] as? String)?.hasPrefix("healthrun: 2 changes") == true)
        #expect(harness.runtime.alertCounters.sent == 1)
        let metrics = try await harness.get("/metrics").body
        #expect(!metrics.contains(Self.key))
    }
}
