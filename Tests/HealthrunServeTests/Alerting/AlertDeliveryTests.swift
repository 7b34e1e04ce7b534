import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@testable import HealthrunServe

/// How alerts survive a shutdown, slow receivers and unknown outcomes.
@Suite(.serialized) struct AlertDeliveryTests {
    static func failing(_ name: String = "payments") -> CheckDefinition {
        ServeHarness.check(name, [.fail("HTTP 503 from 127.0.0.1")], alert: AlertPolicy(after: 1, resolveAfter: 1)).0
    }

    @Test func aShutdownWhileRetryingIsBoundedAndTheAlertGoesOutAfterTheRestart() async throws {
        // Before: SIGTERM while an alert was retrying crashed serve ("Cancellation took longer
        // than allowed", SIGILL) and the DOWN was never sent: the tracker had already stored it
        // as notified.
        let down = try await LoopbackHTTPServer { _ in .json(503, #"{"error":"down for maintenance"}"#) }
        defer { Task { await down.close() } }
        let dbPath = ServeHarness.path()
        let unreachable = LoadedConfiguration(
            checks: [Self.failing()], alerting: AlertingConfiguration(webhook: .init(url: down.baseURL + "/hook")))
        let first = try await ServeHarness(
            configuration: unreachable, dbPath: dbPath, alertWindow: .milliseconds(20), alertBackoff: .seconds(1))
        try await first.waitUntil("a retried delivery") { first.runtime.alertCounters.retries >= 1 }
        let stopping = ContinuousClock.now
        await first.stop()
        let took = ContinuousClock.now - stopping
        #expect(took < .seconds(3), "stopping took \(took)")
        #expect(first.runtime.alertCounters.sent == 0)

        let hook = try await LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { Task { await hook.close() } }
        let healthy = LoadedConfiguration(
            checks: [ServeHarness.check("payments", [.fail("HTTP 503 from 127.0.0.1")]).0],
            alerting: AlertingConfiguration(webhook: .init(url: hook.baseURL + "/hook")))
        let second = try await ServeHarness(configuration: healthy, dbPath: dbPath, alertWindow: .milliseconds(20))
        defer { Task { await second.stop() } }
        try await second.waitUntil("the DOWN from before the restart") { !hook.requests.isEmpty }
        let request = try #require(hook.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(alerts.map { $0["state"] as? String } == ["down"])
        #expect(alerts.first?["check"] as? String == "payments")
        // Sent once: after delivery the outbox forgets it.
        try await Task.sleep(for: .milliseconds(300))
        #expect(hook.requests.count == 1)
    }

    @Test func aHangingReceiverCannotHoldTheShutdown() async throws {
        let hook = try await LoopbackHTTPServer { _ in .silent }
        defer { Task { await hook.close() } }
        let configuration = LoadedConfiguration(
            checks: [Self.failing()], alerting: AlertingConfiguration(webhook: .init(url: hook.baseURL + "/hook")))
        let harness = try await ServeHarness(configuration: configuration, alertWindow: .milliseconds(20))
        try await harness.waitUntil("a request in flight") { !hook.requests.isEmpty }
        let stopping = ContinuousClock.now
        await harness.stop()
        #expect(ContinuousClock.now - stopping < .seconds(3))
    }

    @Test func aSlowWebhookDoesNotDelayTelegramAndRetriesKeepTheirID() async throws {
        // Before: one queue for all channels, in order: a receiver taking 30 s delayed every
        // channel's alerts by minutes.
        let calls = Locked(0)
        let hook = try await LoopbackHTTPServer { _ in
            let call = calls.withLock { count -> Int in
                count += 1
                return count
            }
            return call == 1 ? .json(500, #"{"error":"busy"}"#) : .delayed(.seconds(2), .json(200, "{}"))
        }
        defer { Task { await hook.close() } }
        let bot = try await TelegramAlertTests.botAPI()
        defer { Task { await bot.close() } }
        let configuration = LoadedConfiguration(
            checks: [Self.failing()],
            alerting: AlertingConfiguration(
                telegram: .init(token: Secret(TelegramAlertTests.token), chatID: "42", apiURL: bot.baseURL),
                webhook: .init(url: hook.baseURL + "/hook")))
        let harness = try await ServeHarness(configuration: configuration, alertWindow: .milliseconds(20))
        defer { Task { await harness.stop() } }
        let start = ContinuousClock.now
        try await harness.waitUntil("Telegram got the DOWN") { !bot.requests.isEmpty }
        #expect(ContinuousClock.now - start < .seconds(1), "Telegram waited for the webhook")
        try await harness.waitUntil("the webhook's retry") { hook.requests.count >= 2 }
        let ids = try hook.requests.prefix(2).map { request in
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(request.header("Idempotency-Key") == body["id"] as? String)
            return try #require(body["id"] as? String)
        }
        #expect(ids[0] == ids[1], "a retry carries the same id")
    }

    @Test func telegramIsNotResentWhenItMayHaveArrived() async throws {
        // A request that timed out may have reached Telegram, which cannot tell a duplicate.
        let bot = try await LoopbackHTTPServer { _ in .silent }
        defer { Task { await bot.close() } }
        let configuration = LoadedConfiguration(
            checks: [Self.failing()],
            alerting: AlertingConfiguration(
                telegram: .init(token: Secret(TelegramAlertTests.token), chatID: "42", apiURL: bot.baseURL)))
        let harness = try await ServeHarness(
            configuration: configuration, alertWindow: .milliseconds(20), alertRequestTimeout: .milliseconds(300))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("the failure counted") { harness.runtime.alertCounters.failed == 1 }
        #expect(bot.requests.count == 1)
        #expect(harness.runtime.alertCounters.retries == 0)
    }
}

@Suite struct ChannelQueueTests {
    static func notice(_ check: String, _ notice: AlertTracker.Notice, at: Int64) -> AlertEnvelope {
        AlertEnvelope(notice: AlertNotice(check: check, notice: notice, at: at, channels: []))
    }

    @Test func aQueueKeepsTheLastTwoNoticesPerCheck() {
        // Before: unbounded; on recovery a receiver got 17 stale messages in 0.7 s.
        let queue = ChannelQueue(name: "webhook")
        var replaced: [String] = []
        for minute in 0..<20 {
            let notice: AlertTracker.Notice = minute % 2 == 0 ? .down(message: "refused") : .up(downForMs: 60_000)
            replaced += queue.add(Self.notice("db", notice, at: Int64(minute) * 60_000))
        }
        replaced += queue.add(Self.notice("cache", .down(message: "timeout"), at: 0))
        let left = queue.take()
        #expect(left.count == 3)
        #expect(left.map(\.notice.check) == ["db", "db", "cache"])
        #expect(left.prefix(2).map(\.notice.state) == ["down", "up"], "the last DOWN and the UP after it")
        #expect(replaced.count == 18)
        // A reminder replaces the reminder before it.
        _ = queue.add(Self.notice("db", .down(message: "x"), at: 0))
        _ = queue.add(Self.notice("db", .reminder(message: "x", downForMs: 1), at: 1))
        _ = queue.add(Self.notice("db", .reminder(message: "x", downForMs: 2), at: 2))
        #expect(queue.take().map(\.notice.at) == [0, 2])
    }
}

@Suite struct CarriedAlertTests {
    @Test func aCarriedMemberSaysNothingAndTheGroupAlertsWhenNoneCarriesIt() async throws {
        // Before: the primary of a failover group that its fallback carried sent DOWN, although
        // nothing the run's verdict depends on was down.
        let hook = try await LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { Task { await hook.close() } }
        let policy = AlertPolicy(after: 1, resolveAfter: 1)
        let (primary, _) = ServeHarness.check("claude", [.fail("HTTP 529 overloaded")], group: "llm", alert: policy)
        let (fallback, _) = ServeHarness.check(
            "gigachat", Array(repeating: CheckOutcome.ok("2 models"), count: 10) + [.fail("HTTP 401")], group: "llm",
            alert: policy)
        let configuration = LoadedConfiguration(
            checks: [primary, fallback],
            groups: [
                GroupDefinition(
                    name: "llm", policy: .failover, members: ["claude", "gigachat"],
                    source: SourceLocation(file: "checks.d/test.yaml", line: 1, column: 1))
            ],
            alerting: AlertingConfiguration(webhook: .init(url: hook.baseURL + "/hook")))
        let harness = try await ServeHarness(configuration: configuration, alertWindow: .milliseconds(300))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("a few carried runs") { try await harness.resultCount("claude") >= 4 }
        #expect(hook.requests.isEmpty, "the carried primary sent \(hook.requests.count) alerts")
        let carried = try PrometheusText.parse(try await harness.get("/metrics").body)
        #expect(carried["healthrun_group_up{group=\"llm\",policy=\"failover\"}"] == 1)

        try await harness.waitUntil("the group's DOWN", limit: .seconds(8)) { !hook.requests.isEmpty }
        let request = try #require(hook.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(
            alerts.contains { $0["check"] as? String == "llm (group)" && $0["state"] as? String == "down" }, "\(alerts)"
        )
        let failing = try PrometheusText.parse(try await harness.get("/metrics").body)
        #expect(failing["healthrun_group_up{group=\"llm\",policy=\"failover\"}"] == 0)
    }
}
