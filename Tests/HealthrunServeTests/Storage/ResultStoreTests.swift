import Foundation
import HealthrunCore
import HealthrunServe
import Testing

@Suite struct ResultStoreTests {
    static func temporaryPath() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("healthrun-store-\(UUID())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("history.sqlite").path
    }

    /// Deterministic pseudo-random results over `hours` hours for a few checks.
    static func results(hours: Int, start: Int64) -> [StoredResult] {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var results: [StoredResult] = []
        for minute in 0..<(hours * 60) {
            for check in ["postgres", "llm-proxy", "telegram"] {
                let roll = next() % 100
                let status: CheckStatus = roll < 85 ? .ok : roll < 90 ? .warn : roll < 97 ? .fail : .skipped
                results.append(
                    StoredResult(
                        check: check, at: start + Int64(minute) * 60_000 + Int64(next() % 1000), status: status,
                        durationMs: Double(next() % 2000) / 10 + 0.5, message: "m\(minute)"))
            }
        }
        return results
    }

    /// Writes `results` in batches of uneven sizes (size × step mod modulo + 1), as the writer
    /// commits them, so rollup buckets are merged across commits.
    static func writeInUnevenBatches(_ results: [StoredResult], to store: ResultStore, step: Int, modulo: Int)
        async throws
    {
        var index = 0
        var size = 1
        while index < results.count {
            var batch = WriteBatch()
            batch.results = Array(results[index..<min(results.count, index + size)])
            try await store.write(batch)
            index += size
            size = size * step % modulo + 1
        }
    }

    @Test func migrationsAreVersionedAndReopeningKeepsHistory() async throws {
        let path = Self.temporaryPath()
        do {
            let store = try ResultStore(path: path)
            #expect(
                try store.appliedMigrations() == [
                    "v1", "v2 metrics", "v3 compact metric points", "v4 alert outbox", "v5 packed metric history",
                ])
            var batch = WriteBatch()
            batch.results = [StoredResult(check: "a", at: 1000, status: .ok, durationMs: 3, message: "fine")]
            try await store.write(batch)
        }
        let reopened = try ResultStore(path: path)
        #expect(
            try reopened.appliedMigrations() == [
                "v1", "v2 metrics", "v3 compact metric points", "v4 alert outbox", "v5 packed metric history",
            ])
        #expect(try reopened.snapshot(hourlySince: 0, dailySince: 0).latest["a"]?.message == "fine")
    }

    @Test func rollupsEqualARecomputationFromRawResults() async throws {
        let store = try ResultStore(path: Self.temporaryPath())
        let start: Int64 = 1_764_000_000_000
        let all = Self.results(hours: 30, start: start)
        try await Self.writeInUnevenBatches(all, to: store, step: 3, modulo: 997)
        for resolution in Resolution.allCases {
            var expected: [String: [Int64: Rollup]] = [:]
            for result in all {
                expected[result.check, default: [:]][resolution.bucket(result.at), default: Rollup()]
                    .record(result.status, milliseconds: result.durationMs)
            }
            let stored = try await store.rollups(resolution: resolution, since: 0)
            #expect(stored == expected)
        }
    }

    @Test func pruningKeepsWhatRetentionSays() async throws {
        let store = try ResultStore(path: Self.temporaryPath())
        let start: Int64 = 1_764_000_000_000
        var batch = WriteBatch()
        batch.results = Self.results(hours: 72, start: start)
        batch.changes = [StateChange(check: "postgres", at: start, from: nil, to: .ok, message: "first")]
        try await store.write(batch)
        let now = start + 72 * 3_600_000
        let retention = try Retention(parsing: "raw=48h,hourly=2d,daily=2y")
        let deleted = try await store.prune(now: now, retention: retention)
        #expect(deleted > 0)
        let raw = try await store.results(check: "postgres", since: 0)
        #expect(raw.allSatisfy { $0.at >= now - 48 * 3_600_000 })
        #expect(raw.count >= 47 * 60)
        // A window is read by SQLite, oldest first; the newest come newest first.
        let lastHour = try await store.results(check: "postgres", since: now - 3_600_000)
        #expect(!lastHour.isEmpty)
        #expect(lastHour.map(\.at) == raw.map(\.at).filter { $0 >= now - 3_600_000 })
        let newest = try await store.recentResults(check: "postgres", limit: 5)
        #expect(newest.map(\.at) == Array(raw.map(\.at).reversed().prefix(5)))
        let hourly = try await store.rollups(check: "postgres", resolution: .hourly, since: 0)["postgres"]!
        #expect(hourly.keys.allSatisfy { $0 >= Resolution.hourly.bucket(now - 48 * 3_600_000) })
        #expect(try await store.rollups(check: "postgres", resolution: .daily, since: 0)["postgres"]!.count == 4)
        #expect(try await store.events(check: "postgres").isEmpty)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func retentionParsesAndRejects() throws {
        let retention = try Retention(parsing: "raw=12h,daily=1y")
        #expect(retention.raw == .seconds(12 * 3600))
        #expect(retention.hourly == .seconds(90 * 86400))
        #expect(retention.daily == .seconds(365 * 86400))
        #expect(throws: RetentionError.self) { try Retention(parsing: "weekly=2d") }
        #expect(throws: RetentionError.self) { try Retention(parsing: "raw=5m") }
        #expect(throws: RetentionError.self) { try Retention(parsing: "raw") }
    }

    @Test func eventsAndAlertStatesRoundTrip() async throws {
        let store = try ResultStore(path: Self.temporaryPath())
        var batch = WriteBatch()
        batch.changes = [
            StateChange(check: "db", at: 1, from: nil, to: .ok, message: "up"),
            StateChange(check: "db", at: 2, from: .ok, to: .fail, message: "refused"),
            StateChange(check: "bot", at: 3, from: nil, to: .ok, message: "ok"),
        ]
        batch.alertStates = ["db": [1, 2, 3]]
        try await store.write(batch)
        #expect(try await store.events(check: "db").map(\.to) == [.fail, .ok])
        #expect(try await store.events().count == 3)
        #expect(try store.snapshot(hourlySince: 0, dailySince: 0).alertStates == ["db": [1, 2, 3]])
    }
}
