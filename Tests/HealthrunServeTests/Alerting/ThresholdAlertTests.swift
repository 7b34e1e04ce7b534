import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@testable import HealthrunServe

/// A metric crossing its thresholds is its own alert state per check and metric: WARN or FAIL,
/// one escalation from warn to fail, OK when it is back, nothing twice after a restart.
@Suite struct ThresholdAlertTests {
    static let balance = Threshold(metric: "balance", warnBelow: 100_000, failBelow: 10_000)

    static func result(_ balance: Double?, status: CheckStatus = .ok) -> CheckResult {
        var outcome = CheckOutcome(status: status, message: "balance read")
        if let balance { outcome.metrics = [Metric("balance", balance, unit: .tokens)] }
        _ = outcome.judge([Self.balance])
        return CheckResult(
            name: "gigachat-balance", type: "usage", status: outcome.status, critical: true,
            duration: .milliseconds(20), attempts: 1, message: outcome.message, group: nil, tags: [],
            source: SourceLocation(file: "checks.d/llm.yaml", line: 1, column: 3), metrics: outcome.metrics)
    }

    /// The lines a sequence of balances announces (nil: a result without the metric).
    static func lines(_ balances: [Double?], policy: AlertPolicy = AlertPolicy(after: 2, resolveAfter: 2)) -> [String] {
        var state = CheckAlertState()
        var lines: [String] = []
        for (minute, balance) in balances.enumerated() {
            let at = Int64(minute) * 60_000
            for noticed in state.observe(Self.result(balance), thresholds: [Self.balance], at: at, policy: policy) {
                let notice = AlertNotice(
                    check: "gigachat-balance", metric: noticed.metric, level: noticed.level, notice: noticed.notice,
                    at: at, channels: [])
                lines.append(notice.line)
            }
        }
        return lines
    }

    @Test func aBreachWarnsOnceEscalatesOnceAndResolves() {
        #expect(
            Self.lines([150_000, 84_000, 84_000, 84_000, 5_000, 84_000, nil, 150_000, 150_000, 150_000]) == [
                "🟠 WARN gigachat-balance: balance 84,000 tokens < 100,000",
                "🔴 FAIL gigachat-balance: balance 5,000 tokens < 10,000",
                "🟢 OK gigachat-balance: balance within its thresholds again after 7m",
            ])
    }

    @Test func aSingleBreachBelowAfterSaysNothing() {
        #expect(Self.lines([150_000, 84_000, 150_000, 150_000]).isEmpty)
    }

    /// A fail bound fails the check itself, so the check goes DOWN beside the metric's FAIL (one
    /// message when they come together; the README says so).
    @Test func aFailFromTheStartIsTheCheckDownAndTheMetricFail() {
        #expect(
            Self.lines([5_000, 5_000, 5_000]) == [
                "🔴 DOWN gigachat-balance: balance read; balance 5,000 tokens < 10,000",
                "🔴 FAIL gigachat-balance: balance 5,000 tokens < 10,000",
            ])
    }

    @Test func theCheckAndItsMetricAreSeparateStates() {
        var state = CheckAlertState()
        let policy = AlertPolicy(after: 1, resolveAfter: 1)
        // The check fails for its own reason while the balance is fine: one DOWN, no WARN.
        let noticed = state.observe(
            Self.result(150_000, status: .fail), thresholds: [Self.balance], at: 0, policy: policy)
        #expect(noticed.map(\.metric) == [nil])
        #expect(state.check.isDown && state.metrics["balance"]?.tracker.isDown == false)
    }

    @Test func aStateStoredBeforeMetricAlertsStillLoads() throws {
        var tracker = AlertTracker()
        _ = tracker.observe(.fail, message: "down", at: 0, policy: AlertPolicy(after: 1))
        let old = try JSONEncoder().encode(tracker)
        let state = CheckAlertState(stored: Array(old))
        #expect(state.check == tracker && state.check.isDown)
        var fresh = CheckAlertState()
        _ = fresh.observe(Self.result(84_000), thresholds: [Self.balance], at: 0, policy: AlertPolicy(after: 1))
        #expect(CheckAlertState(stored: try #require(fresh.encoded)) == fresh)
    }

    @Test func alertmanagerGetsAMetricLabelAndOneIdentityAcrossLevels() throws {
        func alert(_ level: CheckStatus) throws -> [String: Any] {
            let notice = AlertNotice(
                check: "gigachat-balance", metric: "balance", level: level,
                notice: .down(message: "balance 84,000 tokens < 100,000"), at: 1_764_000_000_000, channels: [])
            let text = AlertDispatcher.alertmanagerAlert(notice).compact()
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        let warn = try alert(.warn)
        let fail = try alert(.fail)
        #expect(
            warn["labels"] as? [String: String] == [
                "alertname": "HealthrunThresholdBreached", "check": "gigachat-balance", "metric": "balance",
                "source": "healthrun",
            ])
        #expect(fail["labels"] as? [String: String] == warn["labels"] as? [String: String])
        #expect((warn["annotations"] as? [String: String])?["severity"] == "warn")
        #expect((fail["annotations"] as? [String: String])?["severity"] == "fail")
    }

    /// Over the loopback Bot API: a balance under its warn bound sends one WARN and one OK; a
    /// restart during the breach sends nothing more.
    @Test func aThresholdAlertReachesTelegramOnceAndOnceAfterARestart() async throws {
        let api = try await TelegramAlertTests.botAPI()
        defer { Task { await api.close() } }
        func configuration(_ balances: [Double]) -> LoadedConfiguration {
            let (check, _) = ServeHarness.check(
                "gigachat-balance",
                balances.map { .ok("balance read", metrics: [Metric("balance", $0, unit: .tokens)]) },
                alert: AlertPolicy(after: 2, resolveAfter: 2, channels: ["telegram"]))
            var definition = check
            definition.thresholds = [Self.balance]
            var base = TelegramAlertTests.configuration(api: api.baseURL, outcomes: [])
            base.checks = [definition]
            return base
        }
        let harness = try await ServeHarness(
            configuration: configuration([150_000, 84_000, 84_000, 84_000, 150_000, 150_000]))
        @Sendable func lines() -> [String] {
            TelegramAlertTests.messages(api).compactMap { $0["text"] as? String }
                .flatMap { $0.split(separator: "\n") }.map(String.init)
        }
        try await harness.waitUntil("WARN and OK", limit: .seconds(8)) {
            lines().contains { $0.hasPrefix("🟢 OK gigachat-balance") }
        }
        await harness.stop()
        #expect(
            lines().filter { $0.contains("WARN") } == ["🟠 WARN gigachat-balance: balance 84,000 tokens < 100,000"],
            "\(lines())")
        #expect(
            lines().filter { $0.hasPrefix("🟢 OK gigachat-balance: balance within its thresholds again after") }
                .count == 1, "\(lines())")
        #expect(!lines().contains { $0.contains("DOWN") }, "a warn breach is not the check going down")

        // Breached from the start, across a restart on the same file: one WARN in all.
        let before = TelegramAlertTests.messages(api).count
        let breached = configuration([84_000])
        let first = try await ServeHarness(configuration: breached, dbPath: harness.dbPath)
        try await first.waitUntil("WARN") { TelegramAlertTests.messages(api).count == before + 1 }
        await first.stop()
        let second = try await ServeHarness(configuration: breached, dbPath: harness.dbPath)
        let runs = try await second.resultCount("gigachat-balance")
        try await second.waitUntil("8 more breaching runs") {
            try await second.resultCount("gigachat-balance") >= runs + 8
        }
        let exposition = try await second.get("/metrics").body
        await second.stop()
        #expect(TelegramAlertTests.messages(api).count == before + 1, "\(lines())")
        #expect(
            exposition.contains(#"healthrun_check_threshold_breached{check="gigachat-balance",metric="balance"} 1"#))
    }
}
