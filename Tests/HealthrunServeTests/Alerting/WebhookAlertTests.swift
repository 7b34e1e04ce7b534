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
        // Three more failing runs of each, any of which could have sent a second message.
        let before = try await harness.resultCount("telegram-bot")
        try await harness.waitUntil("3 more runs") { try await harness.resultCount("telegram-bot") >= before + 3 }
        #expect(hook.requests.count == 1, "both DOWNs in one message")
        let request = try #require(hook.requests.first)
        #expect(request.method == "POST" && request.path == "/hooks/healthrun")
        #expect(request.header("X-Api-Key") == Self.key)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(body["source"] as? String == "healthrun")
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(Set(alerts.compactMap { $0["check"] as? String }) == ["postgres", "telegram-bot"])
        #expect(alerts.allSatisfy { $0["state"] as? String == "down" && $0["at"] is String })
        // The reports' timestamp format (it was ISO8601DateFormatter's, without milliseconds).
        let stamp = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/
        #expect(alerts.allSatisfy { ($0["at"] as? String)?.wholeMatch(of: stamp) != nil }, "\(alerts)")
        #expect((body["text"] as? String)?.hasPrefix("healthrun: 2 changes") == true)
        #expect(harness.runtime.alertCounters.sent == 1)
        let metrics = try await harness.get("/metrics").body
        #expect(!metrics.contains(Self.key))
    }
}

@Suite struct AlertmanagerWebhookTests {
    @Test func downAndUpSpeakAlertmanagersAPI() async throws {
        let alertmanager = try await LoopbackHTTPServer { request in
            request.path == "/api/v2/alerts" ? .json(200, "") : .json(404, #"{"error":"not found"}"#)
        }
        defer { Task { await alertmanager.close() } }
        let (db, _) = ServeHarness.check(
            "postgres", [.fail("refused"), .ok("select 1")], alert: AlertPolicy(after: 1, resolveAfter: 1))
        let configuration = LoadedConfiguration(
            checks: [db],
            alerting: AlertingConfiguration(
                webhook: .init(url: alertmanager.baseURL + "/api/v2/alerts", format: .alertmanager)))
        let harness = try await ServeHarness(configuration: configuration, alertWindow: .milliseconds(20))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("DOWN and UP") { alertmanager.requests.count >= 2 }
        let bodies = try alertmanager.requests.prefix(2).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [[String: Any]])
        }
        let down = try #require(bodies[0].first)
        let up = try #require(bodies[1].first)
        #expect(
            down["labels"] as? [String: String] == [
                "alertname": "HealthrunCheckDown", "check": "postgres", "source": "healthrun",
            ])
        #expect(down["endsAt"] == nil && down["startsAt"] is String)
        #expect((down["annotations"] as? [String: String])?["description"] == "refused")
        #expect(up["labels"] as? [String: String] == down["labels"] as? [String: String])
        #expect(up["endsAt"] is String, "UP resolves the alert")
    }
}
