import Foundation
internal import GRDB
import HealthrunCore

/// History in one SQLite file (WAL): raw results, hourly and daily rollups, state changes and
/// alert state. One writer commits batches; readers never block it.
public final class ResultStore: Sendable {
    private let pool: DatabasePool
    /// Row ids of checks and metric series already in the file, kept across batches (neither is
    /// ever deleted); emptied when a write fails, as its new rows rolled back.
    private let ids = Locked(RowIDs())
    /// The database file.
    public let path: String

    /// Why a history file cannot be used, and what to do about it. serve exits 2 with it and
    /// leaves the file as it was: it never starts fresh over someone's history.
    public struct OpenProblem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Opens (creating and migrating) the database at `path`. An existing file is checked first,
    /// read-only: not empty, a SQLite database that passes `PRAGMA quick_check`, and no newer
    /// schema than this build knows.
    /// - Throws: ``OpenProblem`` when the file is damaged, empty, not a database or newer.
    public init(path: String) throws {
        self.path = path
        try Self.inspect(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL is DatabasePool's default; NORMAL syncs at checkpoints, so a power cut can lose
            // the last commits but never corrupts the file (kill -9 loses nothing committed).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw OpenProblem(description: "cannot open '\(path)': \(Self.describe(error))")
        }
    }

    /// The checks on an existing file, on a read-only connection (nothing is written to it).
    private static func inspect(path: String) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return }
        let restore =
            "restore it from a backup, or move it aside to start a new history (healthrun never overwrites one)"
        if (attributes[.size] as? NSNumber)?.intValue == 0 {
            throw OpenProblem(
                description: "the history database '\(path)' is empty (0 bytes), not a database; if it held "
                    + "history, \(restore); if it is new, delete it")
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
                if problems != ["ok"] {
                    throw OpenProblem(
                        description: "the history database '\(path)' is damaged (SQLite's quick_check: "
                            + "\(problems.prefix(3).joined(separator: "; "))); \(restore), or try "
                            + "`sqlite3 '\(path)' .recover | sqlite3 recovered.sqlite`")
                }
                if try migrator.hasBeenSuperseded(db) {
                    let known = Set(migrator.migrations)
                    let newer = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
                    throw OpenProblem(
                        description: "the history database '\(path)' was written by a newer healthrun (schema "
                            + "\(newer.joined(separator: ", "))); run that version, or point --db at another file")
                }
            }
        } catch let error as DatabaseError {
            throw OpenProblem(
                description: "the history database '\(path)' cannot be read: \(describe(error)); \(restore)")
        }
    }

    /// A storage error as a person reads it: what happened, without SQLite's codes.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode {
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_READONLY: return "the database is read-only (check the file's and its directory's permissions)"
        case .SQLITE_NOTADB: return "the file is not a SQLite database"
        case .SQLITE_CORRUPT: return "the database is damaged"
        case .SQLITE_IOERR: return "I/O error (\(error.message ?? "no detail"))"
        case .SQLITE_CANTOPEN: return "the file cannot be opened (\(error.message ?? "no detail"))"
        default: return error.message ?? "\(error)"
        }
    }

    /// Versioned schema migrations, applied in order on open.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE checks (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE results (
                        check_id INTEGER NOT NULL, at INTEGER NOT NULL, status INTEGER NOT NULL,
                        duration_us INTEGER NOT NULL, message TEXT NOT NULL);
                    CREATE INDEX results_by_check ON results (check_id, at);
                    CREATE INDEX results_by_time ON results (at);
                    CREATE TABLE rollups (
                        check_id INTEGER NOT NULL, resolution INTEGER NOT NULL, bucket INTEGER NOT NULL,
                        ok INTEGER NOT NULL, warn INTEGER NOT NULL, fail INTEGER NOT NULL, skipped INTEGER NOT NULL,
                        latency BLOB NOT NULL,
                        PRIMARY KEY (check_id, resolution, bucket)) WITHOUT ROWID;
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY, check_id INTEGER NOT NULL, at INTEGER NOT NULL,
                        from_status INTEGER, to_status INTEGER NOT NULL, message TEXT NOT NULL);
                    CREATE INDEX events_by_check ON events (check_id, at);
                    CREATE TABLE alert_state (check_id INTEGER PRIMARY KEY, state BLOB NOT NULL);
                    """)
        }
        migrator.registerMigration("v2 metrics") { db in
            // Series are interned: a check's metric name, unit and label set (canonical JSON).
            // Rollups keep count, sum, min, max and the last value per series and bucket.
            try db.execute(
                sql: """
                    CREATE TABLE series (
                        id INTEGER PRIMARY KEY, check_id INTEGER NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL,
                        labels TEXT NOT NULL, UNIQUE (check_id, name, labels));
                    CREATE TABLE metric_points (series_id INTEGER NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL);
                    CREATE INDEX metric_points_by_series ON metric_points (series_id, at);
                    CREATE INDEX metric_points_by_time ON metric_points (at);
                    CREATE TABLE metric_rollups (
                        series_id INTEGER NOT NULL, resolution INTEGER NOT NULL, bucket INTEGER NOT NULL,
                        count INTEGER NOT NULL, sum_value REAL NOT NULL, min_value REAL NOT NULL,
                        max_value REAL NOT NULL, last_at INTEGER NOT NULL, last_value REAL NOT NULL,
                        PRIMARY KEY (series_id, resolution, bucket)) WITHOUT ROWID;
                    """)
        }
        // Points keyed by (series, time) in one B-tree instead of a rowid table and two indexes:
        // 5 metrics per check were projected at 1.9 GB over 90 days with the v2 layout. A series
        // repeated within one result keeps its last value, as in /metrics.
        migrator.registerMigration("v3 compact metric points") { db in
            try db.execute(
                sql: """
                    CREATE TABLE metric_points_v3 (
                        series_id INTEGER NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL,
                        PRIMARY KEY (series_id, at)) WITHOUT ROWID;
                    INSERT OR REPLACE INTO metric_points_v3 (series_id, at, value)
                        SELECT series_id, at, value FROM metric_points ORDER BY rowid;
                    DROP TABLE metric_points;
                    ALTER TABLE metric_points_v3 RENAME TO metric_points;
                    """)
        }
        // Alert notices stay here until a channel took them (an alert counts as sent only then).
        migrator.registerMigration("v4 alert outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE alert_outbox (
                        id TEXT NOT NULL, channel TEXT NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (id, channel)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v5 packed metric history") { db in
            try migrateToPackedMetrics(db)
        }
        return migrator
    }

    /// v5: a result's values in one row keyed by the result (a batch appends to one B-tree
    /// instead of touching a page per series), a series' hourly rollups a day to a row, hours
    /// rolled up once they are over. 5 metrics per check were projected at 1.16 GB on day 90 and
    /// stored 4,500–9,500 results/s with the v3 layout.
    private static func migrateToPackedMetrics(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE result_metrics (result_id INTEGER PRIMARY KEY, packed BLOB NOT NULL);
                CREATE TABLE metric_hours (
                    series_id INTEGER NOT NULL, day INTEGER NOT NULL, packed BLOB NOT NULL,
                    PRIMARY KEY (series_id, day)) WITHOUT ROWID;
                CREATE TABLE store_marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
        // The points of one check at one time are the values of the result of that check at that
        // time (written in one transaction, pruned at one cutoff).
        let findResult = try db.makeStatement(
            sql: "SELECT rowid FROM results WHERE check_id = ? AND at = ? ORDER BY rowid DESC LIMIT 1")
        let insertValues = try db.makeStatement(sql: "INSERT INTO result_metrics (result_id, packed) VALUES (?, ?)")
        var current: (check: Int64, at: Int64)?
        var values: [(series: Int64, value: Double)] = []
        func flush() throws {
            guard let current, !values.isEmpty,
                let result = try Int64.fetchOne(findResult, arguments: [current.check, current.at])
            else { return }
            try insertValues.execute(arguments: [result, Data(PackedMetrics.values(values))])
        }
        let points = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.check_id, p.at, p.series_id, p.value FROM metric_points p JOIN series s ON s.id = p.series_id
                ORDER BY s.check_id, p.at, p.series_id
                """)
        while let point = try points.next() {
            let key = (check: point["check_id"] as Int64, at: point["at"] as Int64)
            if current.map({ $0.check != key.check || $0.at != key.at }) ?? true {
                try flush()
                current = key
                values = []
            }
            values.append((point["series_id"], point["value"]))
        }
        try flush()
        // Every hour up to the newest point is in the v3 rollups already.
        if let newest = try Int64.fetchOne(db, sql: "SELECT max(at) FROM metric_points") {
            try db.execute(
                sql: "INSERT INTO store_marks (name, value) VALUES (?, ?)",
                arguments: [metricMark, Resolution.hourly.bucket(newest) + Resolution.hourly.rawValue])
        }
        var days: [SeriesBucket: [Int: PackedMetrics.Hour]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT series_id, bucket, count, sum_value, min_value, max_value FROM metric_rollups
                WHERE resolution = ?
                """, arguments: [Resolution.hourly.rawValue])
        {
            let bucket: Int64 = row["bucket"]
            let day = SeriesBucket(series: row["series_id"], bucket: Resolution.daily.bucket(bucket))
            days[day, default: [:]][Int((bucket - day.bucket) / Resolution.hourly.rawValue)] = PackedMetrics.Hour(
                count: row["count"], sum: row["sum_value"], min: row["min_value"], max: row["max_value"])
        }
        let insertDay = try db.makeStatement(
            sql: "INSERT INTO metric_hours (series_id, day, packed) VALUES (?, ?, ?)")
        for (day, hours) in days {
            try insertDay.execute(arguments: [day.series, day.bucket, Data(PackedMetrics.day(hours))])
        }
        try db.execute(
            sql: """
                DELETE FROM metric_rollups WHERE resolution = ?;
                DROP TABLE metric_points;
                """, arguments: [Resolution.hourly.rawValue])
    }

    /// A database as an older version left it: the migrations up to `migration`, then `sql`
    /// (tests of upgrades).
    package static func createLegacy(path: String, upTo migration: String, then sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try migrator.migrate(queue, upTo: migration)
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// The migrations applied to the file, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    // MARK: Writing

    /// Commits a batch in one transaction: results, their rollups (merged into existing
    /// buckets), state changes and alert states.
    public func write(_ batch: WriteBatch) async throws {
        guard !batch.isEmpty else { return }
        do {
            let known = ids.value
            let updated = try await pool.write { db in
                var ids = known
                try Self.write(batch, in: db, ids: &ids)
                return ids
            }
            ids.withLock { $0 = updated }
        } catch {
            ids.withLock { $0 = RowIDs() }
            throw error
        }
    }

    struct RowIDs: Sendable {
        var checks: [String: Int64] = [:]
        /// By check id, name and canonical labels.
        var series: [String: Int64] = [:]
    }

    private static func write(_ batch: WriteBatch, in db: Database, ids: inout RowIDs) throws {
        func id(_ name: String) throws -> Int64 {
            if let known = ids.checks[name] { return known }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO checks (name) VALUES (?)").execute(arguments: [name])
            let found = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM checks WHERE name = ?"), arguments: [name])!
            ids.checks[name] = found
            return found
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO results (check_id, at, status, duration_us, message) VALUES (?, ?, ?, ?, ?)")
        var touched: [RollupKey: Rollup] = [:]
        var rowIDs: [Int64] = []
        rowIDs.reserveCapacity(batch.results.count)
        for result in batch.results {
            let checkID = try id(result.check)
            try insert.execute(arguments: [
                checkID, result.at, result.status.code, Int64((result.durationMs * 1000).rounded()), result.message,
            ])
            rowIDs.append(db.lastInsertedRowID)
            for resolution in Resolution.allCases {
                touched[
                    RollupKey(checkID: checkID, resolution: resolution.rawValue, bucket: resolution.bucket(result.at)),
                    default: Rollup()
                ]
                .record(result.status, milliseconds: result.durationMs)
            }
        }
        let select = try db.cachedStatement(
            sql:
                "SELECT ok, warn, fail, skipped, latency FROM rollups WHERE check_id = ? AND resolution = ? AND bucket = ?"
        )
        let upsert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO rollups (check_id, resolution, bucket, ok, warn, fail, skipped, latency)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (key, added) in touched {
            var rollup = added
            if let row = try Row.fetchOne(select, arguments: [key.checkID, key.resolution, key.bucket]) {
                rollup.merge(Self.rollup(from: row))
            }
            try upsert.execute(arguments: [
                key.checkID, key.resolution, key.bucket, rollup.ok, rollup.warn, rollup.fail, rollup.skipped,
                rollup.latency.encoded,
            ])
        }
        try writeMetrics(batch.results, rowIDs: rowIDs, in: db, seriesIDs: &ids.series, checkID: id)
        let insertEvent = try db.cachedStatement(
            sql: "INSERT INTO events (check_id, at, from_status, to_status, message) VALUES (?, ?, ?, ?, ?)")
        for change in batch.changes {
            try insertEvent.execute(arguments: [
                try id(change.check), change.at, change.from?.code, change.to.code, change.message,
            ])
        }
        let saveState = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO alert_state (check_id, state) VALUES (?, ?)")
        for (check, state) in batch.alertStates {
            try saveState.execute(arguments: [try id(check), Data(state)])
        }
        let keep = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO alert_outbox (id, channel, envelope) VALUES (?, ?, ?)")
        for added in batch.outboxAdded {
            try keep.execute(arguments: [added.id, added.channel, Data(added.envelope)])
        }
        let forget = try db.cachedStatement(sql: "DELETE FROM alert_outbox WHERE id = ? AND channel = ?")
        for removed in batch.outboxRemoved {
            try forget.execute(arguments: [removed.id, removed.channel])
        }
    }

    private struct RollupKey: Hashable {
        var checkID: Int64
        var resolution: Int64
        var bucket: Int64
    }

    private static func rollup(from row: Row) -> Rollup {
        var rollup = Rollup()
        rollup.ok = row["ok"]
        rollup.warn = row["warn"]
        rollup.fail = row["fail"]
        rollup.skipped = row["skipped"]
        rollup.latency = LatencyHistogram(encoded: row["latency"] ?? Data())
        return rollup
    }

    // MARK: Reading

    // The HTTP handlers read with `await`: GRDB runs the read on its reader pool, so a long read
    // never holds one of the few cooperative threads the scheduler runs on.

    /// The newest results of a check, newest first.
    public func recentResults(check: String, limit: Int) async throws -> [StoredResult] {
        try await pool.read { db in try Self.results(db, check: check, since: nil, limit: limit) }
    }

    /// Every raw result of a check at or after `since`, oldest first.
    public func results(check: String, since: Int64) async throws -> [StoredResult] {
        try await pool.read { db in try Self.results(db, check: check, since: since, limit: nil).reversed() }
    }

    /// Rollup buckets at or after `since`, per check (all checks when `check` is nil).
    public func rollups(check: String? = nil, resolution: Resolution, since: Int64) async throws -> [String:
        [Int64: Rollup]]
    {
        try await pool.read { db in try Self.rollups(db, check: check, resolution: resolution, since: since) }
    }

    /// The last value of one series of `check`'s `metric` on each UTC day since `since`, with
    /// when it was taken (the daily rollups' `last`), oldest first.
    public func dailyLastValues(check: String, metric: String, labels: [String: String], since: Int64) async throws
        -> [(at: Int64, value: Double)]
    {
        try await pool.read { db in
            try Self.dailyLastValues(db, check: check, metric: metric, labels: labels, since: since)
        }
    }

    /// The metric series of a check with their points at or after `since`: raw points, or with
    /// a `resolution`, that resolution's rollups (average as the point, with min and max).
    /// `metric` keeps only the series of that name.
    public func metricSeries(
        check: String, since: Int64, resolution: Resolution?, metric: String? = nil
    ) async throws -> [MetricSeries] {
        try await pool.read { db in
            try Self.metricSeries(db, check: check, since: since, resolution: resolution, metric: metric)
        }
    }

    /// State changes, newest first.
    public func events(check: String? = nil, limit: Int = 100) async throws -> [StateChange] {
        try await pool.read { db in
            var sql = """
                SELECT c.name, e.at, e.from_status, e.to_status, e.message FROM events e
                JOIN checks c ON c.id = e.check_id
                """
            var arguments: StatementArguments = []
            if let check {
                sql += " WHERE c.name = ?"
                arguments += [check]
            }
            sql += " ORDER BY e.at DESC, e.id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                StateChange(
                    check: row["name"], at: row["at"],
                    from: (row["from_status"] as Int?).map(CheckStatus.init(stored:)),
                    to: CheckStatus(stored: row["to_status"]), message: row["message"])
            }
        }
    }

    /// What a restart picks up, read in one snapshot: the latest result of every check, the
    /// rollups at or after the given times, and the alert state per check as last written.
    public struct Snapshot: Sendable {
        public var latest: [String: StoredResult]
        public var hourly: [String: [Int64: Rollup]]
        public var daily: [String: [Int64: Rollup]]
        public var alertStates: [String: [UInt8]]
        /// Alert notices not delivered yet, per channel.
        public var undelivered: [(channel: String, envelope: [UInt8])]
        /// The last `recentLimit` results of each check, newest first.
        public var recent: [String: [StoredResult]]
    }

    /// Reads the ``Snapshot`` a runtime starts from (synchronously: it happens once, before serving).
    public func snapshot(hourlySince: Int64, dailySince: Int64, recentLimit: Int = 30) throws -> Snapshot {
        try pool.read { db in
            var recent: [String: [StoredResult]] = [:]
            for name in try String.fetchAll(db, sql: "SELECT name FROM checks") {
                let results = try Self.results(db, check: name, since: nil, limit: recentLimit)
                if !results.isEmpty { recent[name] = results }
            }
            return
                Snapshot(
                    latest: try Self.latestResults(db),
                    hourly: try Self.rollups(db, check: nil, resolution: .hourly, since: hourlySince),
                    daily: try Self.rollups(db, check: nil, resolution: .daily, since: dailySince),
                    alertStates: try Self.alertStates(db),
                    undelivered: try Row.fetchAll(db, sql: "SELECT channel, envelope FROM alert_outbox")
                        .map { (channel: $0["channel"], envelope: Array($0["envelope"] as Data)) },
                    recent: recent)
        }
    }

    private static func results(_ db: Database, check: String, since: Int64?, limit: Int?) throws -> [StoredResult] {
        var sql = """
            SELECT r.at, r.status, r.duration_us, r.message FROM results r JOIN checks c ON c.id = r.check_id
            WHERE c.name = ?
            """
        var arguments: StatementArguments = [check]
        if let since {
            sql += " AND r.at >= ?"
            arguments += [since]
        }
        sql += " ORDER BY r.at DESC, r.rowid DESC"
        if let limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            StoredResult(
                check: check, at: row["at"], status: CheckStatus(stored: row["status"]),
                durationMs: Double(row["duration_us"] as Int64) / 1000, message: row["message"])
        }
    }

    private static func latestResults(_ db: Database) throws -> [String: StoredResult] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT c.name, r.at, r.status, r.duration_us, r.message FROM checks c
                JOIN results r ON r.rowid = (SELECT rowid FROM results WHERE check_id = c.id ORDER BY at DESC, rowid DESC LIMIT 1)
                """)
        var latest: [String: StoredResult] = [:]
        for row in rows {
            let name: String = row["name"]
            latest[name] = StoredResult(
                check: name, at: row["at"], status: CheckStatus(stored: row["status"]),
                durationMs: Double(row["duration_us"] as Int64) / 1000, message: row["message"])
        }
        return latest
    }

    private static func rollups(_ db: Database, check: String?, resolution: Resolution, since: Int64) throws
        -> [String: [Int64: Rollup]]
    {
        var sql = """
            SELECT c.name, r.bucket, r.ok, r.warn, r.fail, r.skipped, r.latency FROM rollups r
            JOIN checks c ON c.id = r.check_id WHERE r.resolution = ? AND r.bucket >= ?
            """
        var arguments: StatementArguments = [resolution.rawValue, since]
        if let check {
            sql += " AND c.name = ?"
            arguments += [check]
        }
        var result: [String: [Int64: Rollup]] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            result[row["name"], default: [:]][row["bucket"]] = Self.rollup(from: row)
        }
        return result
    }

    private static func alertStates(_ db: Database) throws -> [String: [UInt8]] {
        var states: [String: [UInt8]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT c.name, s.state FROM alert_state s JOIN checks c ON c.id = s.check_id")
        {
            states[row["name"]] = Array(row["state"] as Data)
        }
        return states
    }

    // MARK: Upkeep

    /// Deletes what retention no longer keeps.
    /// - Returns: rows deleted.
    @discardableResult
    public func prune(now: Int64, retention: Retention) async throws -> Int {
        try await pool.write { db in
            var deleted = 0
            try db.execute(
                sql: "DELETE FROM events WHERE at < ?", arguments: [now - retention.hourly.wholeMilliseconds])
            deleted += db.changesCount
            deleted += try Self.pruneMetrics(
                rawBefore: now - retention.raw.wholeMilliseconds,
                hourlyBefore: now - retention.hourly.wholeMilliseconds,
                dailyBefore: now - retention.daily.wholeMilliseconds, in: db)
            try db.execute(sql: "DELETE FROM results WHERE at < ?", arguments: [now - retention.raw.wholeMilliseconds])
            deleted += db.changesCount
            for (resolution, keep) in [(Resolution.hourly, retention.hourly), (.daily, retention.daily)] {
                try db.execute(
                    sql: "DELETE FROM rollups WHERE resolution = ? AND bucket < ?",
                    arguments: [resolution.rawValue, resolution.bucket(now - keep.wholeMilliseconds)])
                deleted += db.changesCount
            }
            return deleted
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    /// Bytes on disk: the database, its WAL and shared-memory files.
    public func sizeOnDisk() -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }
}

extension CheckStatus {
    /// The status of a stored code; a code no status has (written by a later version) reads
    /// as skipped.
    init(stored code: Int) {
        self = CheckStatus(code: code) ?? .skipped
    }
}
