import Foundation
import HealthrunCore
import HealthrunServe
import Testing

/// Metrics kept with results: raw points, hourly and daily rollups, retention.
@Suite struct MetricStoreTests {
    static let start: Int64 = 1_764_000_000_000

    /// 30 hours of one result a minute, each with two series of one metric and one other metric.
    static func results() -> [StoredResult] {
        var results: [StoredResult] = []
        for minute in 0..<(30 * 60) {
            let at = start + Int64(minute) * 60_000 + Int64(minute % 7) * 100
            results.append(
                StoredResult(
                    check: "usage", at: at, status: .ok, durationMs: 1, message: "ok",
                    metrics: [
                        Metric("tokens", Double(minute % 50), unit: .tokens, labels: ["model": "sonnet"]),
                        Metric("tokens", Double((minute * 7) % 90), unit: .tokens, labels: ["model": "opus"]),
                        Metric("balance", 10_000 - Double(minute), unit: .usd),
                    ]))
        }
        return results
    }

    @Test func rollupsEqualARecomputationFromRawPoints() async throws {
        let store = try ResultStore(path: ResultStoreTests.temporaryPath())
        let all = Self.results()
        try await ResultStoreTests.writeInUnevenBatches(all, to: store, step: 5, modulo: 173)
        let raw = try await store.metricSeries(check: "usage", since: 0, resolution: nil)
        #expect(raw.map(\.name) == ["balance", "tokens", "tokens"])
        #expect(raw.map(\.labels) == [[:], ["model": "opus"], ["model": "sonnet"]])
        #expect(raw.map(\.unit) == [.usd, .tokens, .tokens])
        #expect(raw.allSatisfy { $0.points.count == all.count })
        for resolution in Resolution.allCases {
            let rolled = try await store.metricSeries(check: "usage", since: 0, resolution: resolution)
            for (series, rawSeries) in zip(rolled, raw) {
                let buckets = Dictionary(grouping: rawSeries.points) { resolution.bucket($0.at) }
                #expect(series.points.map(\.at) == buckets.keys.sorted(), "\(series.name) \(resolution)")
                for point in series.points {
                    let values = buckets[point.at]!.map(\.value)
                    #expect(abs(point.value - values.reduce(0, +) / Double(values.count)) < 1e-9)
                    #expect(point.min == values.min())
                    #expect(point.max == values.max())
                }
            }
        }
        let filtered = try await store.metricSeries(check: "usage", since: 0, resolution: nil, metric: "balance")
        #expect(filtered.map(\.name) == ["balance"])
        let recent = try await store.metricSeries(
            check: "usage", since: Self.start + 29 * 3_600_000, resolution: nil, metric: "balance")
        #expect(recent.first?.points.count == 60, "only points at or after since")
    }

    @Test func retentionPrunesMetricPointsAndRollupsWithResults() async throws {
        let store = try ResultStore(path: ResultStoreTests.temporaryPath())
        var batch = WriteBatch()
        batch.results = Self.results()
        try await store.write(batch)
        let now = Self.start + 30 * 3_600_000
        // Raw points for 2 hours, hourly rollups for 10 hours, daily for 2 days.
        let retention = try Retention(parsing: "raw=2h,hourly=10h,daily=2d")
        try await store.prune(now: now, retention: retention)
        let raw = try await store.metricSeries(check: "usage", since: 0, resolution: nil)
        #expect(raw.allSatisfy { $0.points.count == 120 }, "\(raw.map(\.points.count))")
        let hourly = try await store.metricSeries(check: "usage", since: 0, resolution: .hourly)
        #expect(hourly.allSatisfy { $0.points.count == 10 }, "\(hourly.map(\.points.count))")
        #expect(try await store.recentResults(check: "usage", limit: 10_000).count == 120)
        #expect(try store.integrityCheck() == "ok")
    }

    /// A database written by the v2 layout (a rowid table with two indexes) keeps its points
    /// when it is opened: they move into the (series, time) table, a repeated key keeping its
    /// last value.
    @Test func pointsOfAV2DatabaseSurviveTheMove() async throws {
        let path = ResultStoreTests.temporaryPath()
        try ResultStore.createLegacy(
            path: path, upTo: "v2 metrics",
            then: """
                INSERT INTO checks (id, name) VALUES (1, 'usage');
                INSERT INTO series (id, check_id, name, unit, labels) VALUES (1, 1, 'balance', 'usd', '{}');
                INSERT INTO metric_points (series_id, at, value) VALUES
                    (1, \(Self.start), 10), (1, \(Self.start + 60_000), 9), (1, \(Self.start + 60_000), 8);
                """)
        let store = try ResultStore(path: path)
        #expect(try store.appliedMigrations().contains("v3 compact metric points"))
        let series = try await store.metricSeries(check: "usage", since: 0, resolution: nil)
        #expect(series.map(\.name) == ["balance"])
        #expect(series.first?.points.map(\.value) == [10, 8])
        #expect(try store.integrityCheck() == "ok")
    }
}
