import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

/// serve adds `balance_days_left` from the balance's own history: the balance over the average
/// daily spend of the last days, once two days of history exist.
@Suite struct BalanceProjectionTests {
    static func seed(_ path: String, check: String, _ points: [(daysAgo: Double, balance: Double)]) async throws {
        let store = try ResultStore(path: path)
        let now = Date().unixMilliseconds
        var batch = WriteBatch()
        batch.results = points.map { point in
            StoredResult(
                check: check, at: now - Int64(point.daysAgo * 86_400_000), status: .ok, durationMs: 5,
                message: "balance",
                metrics: [Metric("balance", point.balance, unit: .tokens, labels: ["service": "GigaChat"])])
        }
        try await store.write(batch)
    }

    static func daysLeft(_ harness: ServeHarness, _ check: String) -> Double? {
        harness.runtime.state.latest(check)?.metrics.first { $0.name == "balance_days_left" }?.value
    }

    @Test func fiveDaysOfSpendProjectTheBalance() async throws {
        let path = ServeHarness.path()
        // 100,000 five days ago, 60,000 yesterday: 10,000 a day; 50,000 now lasts 5 days.
        try await Self.seed(path, check: "gigachat-balance", [(5, 100_000), (1, 60_000)])
        let (check, _) = ServeHarness.check(
            "gigachat-balance",
            [.ok("balance", metrics: [Metric("balance", 50_000, unit: .tokens, labels: ["service": "GigaChat"])])])
        let (young, _) = ServeHarness.check(
            "young-balance",
            [.ok("balance", metrics: [Metric("balance", 50_000, unit: .tokens, labels: ["service": "GigaChat"])])])
        try await Self.seed(path, check: "young-balance", [(1, 100_000)])
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [check, young]), dbPath: path)
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("a projection") { Self.daysLeft(harness, "gigachat-balance") != nil }
        let days = try #require(Self.daysLeft(harness, "gigachat-balance"))
        #expect((4.9...5.1).contains(days), "\(days)")
        let metric = harness.runtime.state.latest("gigachat-balance")?.metrics.first { $0.name == "balance_days_left" }
        #expect(metric?.labels == ["service": "GigaChat"])
        #expect(harness.runtime.state.latest("young-balance") != nil)
        #expect(Self.daysLeft(harness, "young-balance") == nil, "one day of history projects nothing")
        let page = try await harness.get("/checks/gigachat-balance").body
        #expect(page.contains("GigaChat runs out in about 5"), "the balance chart names the exhaustion")
    }
}
