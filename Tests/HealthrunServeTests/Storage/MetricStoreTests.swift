import Foundation
import HealthrunCore
import Testing

@testable import HealthrunServe

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
    /// when it is opened: through the (series, time) table of v3, a repeated key keeping its last
    /// value, into the packed values of v5.
    @Test func pointsOfAV2DatabaseSurviveTheMove() async throws {
        let path = ResultStoreTests.temporaryPath()
        try ResultStore.createLegacy(
            path: path, upTo: "v2 metrics",
            then: """
                INSERT INTO checks (id, name) VALUES (1, 'usage');
                INSERT INTO results (check_id, at, status, duration_us, message) VALUES
                    (1, \(Self.start), 0, 1000, 'ok'), (1, \(Self.start + 60_000), 0, 1000, 'ok');
                INSERT INTO series (id, check_id, name, unit, labels) VALUES (1, 1, 'balance', 'usd', '{}');
                INSERT INTO metric_points (series_id, at, value) VALUES
                    (1, \(Self.start), 10), (1, \(Self.start + 60_000), 9), (1, \(Self.start + 60_000), 8);
                """)
        let store = try ResultStore(path: path)
        #expect(
            try store.appliedMigrations().suffix(3) == [
                "v3 compact metric points", "v4 alert outbox", "v5 packed metric history",
            ])
        let series = try await store.metricSeries(check: "usage", since: 0, resolution: nil)
        #expect(series.map(\.name) == ["balance"])
        #expect(series.first?.points.map(\.value) == [10, 8])
        #expect(try store.integrityCheck() == "ok")
    }

    /// Values that arrive for an hour already rolled up (a run that started before the hour
    /// turned and ended after a later result was written) are merged into that hour's rollups and
    /// its day, not lost and not counted twice.
    @Test func lateValuesJoinTheHourTheyBelongTo() async throws {
        let store = try ResultStore(path: ResultStoreTests.temporaryPath())
        var all = Self.results()
        // The result at 01:59 is held back until 03:00's has been written.
        let late = all.remove(at: 119)
        let turn = all.firstIndex { $0.at >= Self.start + 3 * 3_600_000 }!
        try await ResultStoreTests.writeInUnevenBatches(Array(all[..<turn]), to: store, step: 3, modulo: 41)
        var batch = WriteBatch()
        batch.results = [late]
        try await store.write(batch)
        try await ResultStoreTests.writeInUnevenBatches(Array(all[turn...]), to: store, step: 3, modulo: 41)
        all.append(late)
        for resolution in Resolution.allCases {
            let rolled = try await store.metricSeries(check: "usage", since: 0, resolution: resolution)
            #expect(rolled.map(\.name) == ["balance", "tokens", "tokens"])
            for series in rolled {
                let values = all.compactMap { result -> (Int64, Double)? in
                    guard
                        let metric = result.metrics.first(where: {
                            $0.name == series.name && $0.labels == series.labels
                        })
                    else { return nil }
                    return (resolution.bucket(result.at), metric.value)
                }
                let buckets = Dictionary(grouping: values, by: \.0)
                #expect(series.points.map(\.at) == buckets.keys.sorted())
                for point in series.points {
                    let inBucket = buckets[point.at]!.map(\.1)
                    #expect(abs(point.value - inBucket.reduce(0, +) / Double(inBucket.count)) < 1e-9)
                    #expect(point.min == inBucket.min() && point.max == inBucket.max(), "\(series.name) \(point.at)")
                }
            }
        }
        // The late value is the 01:00 hour's: 60 values again, its balance the hour's minimum.
        let hourly = try await store.metricSeries(
            check: "usage", since: Self.start + 3_600_000, resolution: .hourly, metric: "balance")
        #expect(hourly.first?.points.first?.at == Self.start + 3_600_000)
        let first = try #require(hourly.first?.points.first)
        #expect(first.min == 9_881, "\(first)")
    }

    /// The last value of each day, written and not yet rolled up, as a balance's days-left
    /// projection reads it.
    @Test func dailyLastValuesIncludeTheHoursNotRolledUpYet() async throws {
        let store = try ResultStore(path: ResultStoreTests.temporaryPath())
        var batch = WriteBatch()
        batch.results = Self.results()
        try await store.write(batch)
        let days = try await store.dailyLastValues(check: "usage", metric: "balance", labels: [:], since: 0)
        let expected = Dictionary(grouping: Self.results(), by: { Resolution.daily.bucket($0.at) })
            .sorted { $0.key < $1.key }
            .map { _, results in (results.last!.at, results.last!.metrics[2].value) }
        #expect(days.map(\.at) == expected.map(\.0))
        #expect(days.map(\.value) == expected.map(\.1))
        // A new result in the current hour moves today's last value without a rollup.
        var next = WriteBatch()
        let at = Self.results().last!.at + 1_000
        next.results = [
            StoredResult(
                check: "usage", at: at, status: .ok, durationMs: 1, message: "ok",
                metrics: [Metric("balance", 42, unit: .usd)])
        ]
        try await store.write(next)
        let after = try await store.dailyLastValues(check: "usage", metric: "balance", labels: [:], since: 0)
        #expect(after.last.map { [$0.at] } == [at] && after.last?.value == 42)
    }

    /// A v4 database (points in the (series, time) table, hourly rollups as rows) opens with its
    /// values, hours and days intact, and goes on from there: hours already rolled up are not
    /// rolled up again.
    @Test func aV4DatabaseMovesIntoThePackedLayout() async throws {
        let path = ResultStoreTests.temporaryPath()
        let hour: Int64 = 3_600_000
        let points = (0..<180).map { minute in (at: Self.start + Int64(minute) * 60_000, value: Double(minute) + 0.5) }
        var sql = """
            INSERT INTO checks (id, name) VALUES (1, 'usage');
            INSERT INTO series (id, check_id, name, unit, labels) VALUES (1, 1, 'ttft_ms', 'ms', '{}');

            """
        for point in points {
            sql +=
                "INSERT INTO results (check_id, at, status, duration_us, message) VALUES (1, \(point.at), 0, 1, 'ok');\n"
            sql += "INSERT INTO metric_points (series_id, at, value) VALUES (1, \(point.at), \(point.value));\n"
        }
        for resolution in Resolution.allCases {
            for (bucket, group) in Dictionary(grouping: points, by: { resolution.bucket($0.at) }) {
                let values = group.map(\.value)
                sql += """
                    INSERT INTO metric_rollups VALUES (1, \(resolution.rawValue), \(bucket), \(values.count),
                        \(values.reduce(0, +)), \(values.min()!), \(values.max()!), \(group.last!.at), \(values.last!));

                    """
            }
        }
        try ResultStore.createLegacy(path: path, upTo: "v4 alert outbox", then: sql)
        let store = try ResultStore(path: path)
        #expect(try store.appliedMigrations().last == "v5 packed metric history")
        let raw = try await store.metricSeries(check: "usage", since: 0, resolution: nil)
        #expect(raw.first?.points.map(\.value) == points.map(\.value))
        var batch = WriteBatch()
        batch.results = [
            StoredResult(
                check: "usage", at: Self.start + 4 * hour, status: .ok, durationMs: 1, message: "ok",
                metrics: [Metric("ttft_ms", 1000, unit: .ms)])
        ]
        try await store.write(batch)
        let hourly = try await store.metricSeries(check: "usage", since: 0, resolution: .hourly)
        #expect(hourly.first?.points.map(\.at) == [0, 1, 2, 4].map { Self.start + $0 * hour })
        #expect(hourly.first?.points.prefix(3).map(\.value) == [30, 90, 150])
        let daily = try await store.metricSeries(check: "usage", since: 0, resolution: .daily)
        #expect(daily.first?.points.map(\.max) == [1000])
        #expect(
            daily.first?.points.first.map { abs($0.value - (points.map(\.value).reduce(0, +) + 1000) / 181) < 1e-9 }
                == true)
        #expect(try store.integrityCheck() == "ok")
    }

    /// A result's values and a day's hours decode to what was packed, integral or not.
    @Test(
        arguments: [
            0, 1, -1, 42, 99_999, -123_456_789, 9_007_199_254_740_992, -9_007_199_254_740_992, 0.5, -0.0, 1e300,
            -1e-300, 18_446_744_073_709_551_616, .infinity, -.infinity, 0.1 + 0.2, 12.25,
        ] as [Double])
    func packedValuesRoundTrip(_ value: Double) throws {
        let values = [(series: Int64(1), value: value), (series: 300_000, value: value / 3)]
        let decoded = try PackedMetrics.values(from: PackedMetrics.values(values))
        #expect(decoded.map(\.series) == [1, 300_000])
        #expect(decoded.map(\.value.bitPattern) == values.map(\.value.bitPattern))
        let hours = [
            0: PackedMetrics.Hour(count: 3, sum: value, min: -value, max: value),
            23: .init(count: 1, sum: 1, min: 1, max: 1),
        ]
        let day = try PackedMetrics.day(from: PackedMetrics.day(hours))
        #expect(day.keys.sorted() == [0, 23])
        #expect(day[0]?.sum.bitPattern == value.bitPattern && day[0]?.min.bitPattern == (-value).bitPattern)
    }

    @Test func aNaNAndDamagedBlobsDecodeOrFailCleanly() throws {
        let packed = PackedMetrics.values([(series: 7, value: .nan)])
        #expect(try PackedMetrics.values(from: packed).first?.value.isNaN == true)
        // Cut short, a double's tag without its bytes, an hour past 23: errors, not crashes.
        for damaged: [UInt8] in [Array(packed.dropLast()), [7, 1, 0, 0], [0x80], [24, 1, 2, 2, 2]] {
            #expect(throws: PackedMetrics.Malformed.self) { try PackedMetrics.values(from: damaged) }
        }
        #expect(throws: PackedMetrics.Malformed.self) { try PackedMetrics.day(from: [24, 1, 2, 2, 2]) }
        // Integral values take a few bytes; others nine.
        #expect(PackedMetrics.values([(series: 1, value: 99_999)]).count == 4)
        #expect(PackedMetrics.values([(series: 1, value: 0.5)]).count == 10)
    }
}
