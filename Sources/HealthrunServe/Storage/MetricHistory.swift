import Foundation
internal import GRDB
import HealthrunCore

/// Metric history: each result's values in one packed row of `result_metrics` (keyed by the
/// result's row id, so a batch appends at the end of one B-tree), a series' hourly rollups packed
/// a day to a row in `metric_hours`, its daily rollups in `metric_rollups`.
///
/// Hours are rolled up once, when they are over: every hour before the mark
/// `metric_hours_through` is in `metric_hours` and `metric_rollups`, every later one is only in
/// the raw values, and readers roll those up as they read. A batch whose newest result starts a
/// new hour rolls up the hours before it from the raw values (in the same transaction); a result
/// that arrives for an hour already rolled up is merged into its rollups directly. Either way each
/// value is counted once, and a crash loses nothing: the mark moves in the transaction that wrote
/// the rollups.
extension ResultStore {
    static let metricMark = "metric_hours_through"

    /// A series' bucket (an hour or a day).
    struct SeriesBucket: Hashable {
        var series: Int64
        var bucket: Int64
    }

    /// Writes the values of `results` (`rowIDs[i]` is the row of `results[i]`), rolls up the
    /// hours that are over, and merges late values into their rollups.
    static func writeMetrics(
        _ results: [StoredResult], rowIDs: [Int64], in db: Database, seriesIDs: inout [String: Int64],
        checkID: (String) throws -> Int64
    ) throws {
        let measured = results.indices.filter { !results[$0].metrics.isEmpty }
        guard let newest = measured.map({ results[$0].at }).max(), let oldest = measured.map({ results[$0].at }).min()
        else { return }
        let insertSeries = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO series (check_id, name, unit, labels) VALUES (?, ?, ?, ?)")
        let findSeries = try db.cachedStatement(
            sql: "SELECT id FROM series WHERE check_id = ? AND name = ? AND labels = ?")
        let insertValues = try db.cachedStatement(sql: "INSERT INTO result_metrics (result_id, packed) VALUES (?, ?)")
        let through = try mark(db) ?? Resolution.hourly.bucket(oldest)
        var late: [SeriesBucket: MetricRollup] = [:]
        for index in measured {
            let result = results[index]
            let check = try checkID(result.check)
            // A series repeated within one result keeps its last value, as in /metrics.
            var values: [(series: Int64, value: Double)] = []
            var position: [Int64: Int] = [:]
            for metric in result.metrics {
                let labels = MetricSeries.canonical(metric.labels)
                let key = "\(check)\u{0}\(metric.name)\u{0}\(labels)"
                let seriesID: Int64
                if let known = seriesIDs[key] {
                    seriesID = known
                } else {
                    try insertSeries.execute(arguments: [check, metric.name, metric.unit?.rawValue ?? "", labels])
                    seriesID = try Int64.fetchOne(findSeries, arguments: [check, metric.name, labels])!
                    seriesIDs[key] = seriesID
                }
                if let at = position[seriesID] {
                    values[at].value = metric.value
                } else {
                    position[seriesID] = values.count
                    values.append((seriesID, metric.value))
                }
            }
            try insertValues.execute(arguments: [rowIDs[index], Data(PackedMetrics.values(values))])
            if result.at < through {
                for (series, value) in values {
                    late[SeriesBucket(series: series, bucket: Resolution.hourly.bucket(result.at)), default: .init()]
                        .add(value, at: result.at)
                }
            }
        }
        try merge(hours: late, in: db)
        try rollUp(from: through, to: Resolution.hourly.bucket(newest), in: db)
    }

    /// Rolls up the raw values of `[from, to)` (whole hours) into the rollups and moves the mark
    /// to `to`; nothing when `to` is not past `from`.
    static func rollUp(from: Int64, to: Int64, in db: Database) throws {
        guard to > from else {
            if try mark(db) == nil { try setMark(from, in: db) }
            return
        }
        var hours: [SeriesBucket: MetricRollup] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.at, m.packed FROM results r JOIN result_metrics m ON m.result_id = r.rowid
                WHERE r.at >= ? AND r.at < ?
                """, arguments: [from, to])
        while let row = try rows.next() {
            let at: Int64 = row["at"]
            for (series, value) in unpack(row["packed"]) {
                hours[SeriesBucket(series: series, bucket: Resolution.hourly.bucket(at)), default: .init()]
                    .add(value, at: at)
            }
        }
        try merge(hours: hours, in: db)
        try setMark(to, in: db)
    }

    /// Merges hourly rollups into their series' day rows and into the daily rollups.
    private static func merge(hours: [SeriesBucket: MetricRollup], in db: Database) throws {
        guard !hours.isEmpty else { return }
        var days: [SeriesBucket: [Int: PackedMetrics.Hour]] = [:]
        var daily: [SeriesBucket: MetricRollup] = [:]
        for (key, rollup) in hours {
            let day = SeriesBucket(series: key.series, bucket: Resolution.daily.bucket(key.bucket))
            days[day, default: [:]][Int((key.bucket - day.bucket) / Resolution.hourly.rawValue)] =
                PackedMetrics.Hour(rollup)
            daily[day, default: .init()].merge(rollup)
        }
        let readDay = try db.cachedStatement(sql: "SELECT packed FROM metric_hours WHERE series_id = ? AND day = ?")
        let writeDay = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO metric_hours (series_id, day, packed) VALUES (?, ?, ?)")
        for (day, added) in days {
            var hours = try Data.fetchOne(readDay, arguments: [day.series, day.bucket]).map(unpackDay) ?? [:]
            hours.merge(added) { old, new in
                var merged = old
                merged.merge(new)
                return merged
            }
            try writeDay.execute(arguments: [day.series, day.bucket, Data(PackedMetrics.day(hours))])
        }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO metric_rollups
                    (series_id, resolution, bucket, count, sum_value, min_value, max_value, last_at, last_value)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (series_id, resolution, bucket) DO UPDATE SET
                    count = count + excluded.count, sum_value = sum_value + excluded.sum_value,
                    min_value = min(min_value, excluded.min_value), max_value = max(max_value, excluded.max_value),
                    last_value = CASE WHEN excluded.last_at >= last_at THEN excluded.last_value ELSE last_value END,
                    last_at = max(last_at, excluded.last_at)
                """)
        for (key, rollup) in daily {
            try upsert.execute(arguments: [
                key.series, Resolution.daily.rawValue, key.bucket, rollup.count, rollup.sum, rollup.min, rollup.max,
                rollup.lastAt, rollup.last,
            ])
        }
    }

    static func mark(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM store_marks WHERE name = ?"), arguments: [metricMark])
    }

    private static func setMark(_ value: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO store_marks (name, value) VALUES (?, ?)")
            .execute(arguments: [metricMark, value])
    }

    /// A result's values; a damaged blob reads as none (the rest of the history stays readable).
    static func unpack(_ data: Data) -> [(series: Int64, value: Double)] {
        (try? PackedMetrics.values(from: data)) ?? []
    }

    static func unpackDay(_ data: Data) -> [Int: PackedMetrics.Hour] {
        (try? PackedMetrics.day(from: data)) ?? [:]
    }

    // MARK: Pruning

    /// Deletes raw values before `rawBefore` (rolling up their hours first), hourly rollups
    /// before `hourlyBefore` and daily ones before `dailyBefore`.
    /// - Returns: rows deleted or rewritten.
    static func pruneMetrics(rawBefore: Int64, hourlyBefore: Int64, dailyBefore: Int64, in db: Database) throws -> Int {
        var deleted = 0
        if let through = try mark(db) {
            try rollUp(from: through, to: Resolution.hourly.bucket(rawBefore) + Resolution.hourly.rawValue, in: db)
        }
        try db.execute(
            sql: "DELETE FROM result_metrics WHERE result_id IN (SELECT rowid FROM results WHERE at < ?)",
            arguments: [rawBefore])
        deleted += db.changesCount
        let firstHour = Resolution.hourly.bucket(hourlyBefore)
        let firstDay = Resolution.daily.bucket(firstHour)
        try db.execute(sql: "DELETE FROM metric_hours WHERE day < ?", arguments: [firstDay])
        deleted += db.changesCount
        if firstHour > firstDay {
            // The day the cutoff falls in keeps its later hours.
            let keptFrom = Int((firstHour - firstDay) / Resolution.hourly.rawValue)
            let writeDay = try db.cachedStatement(
                sql: "UPDATE metric_hours SET packed = ? WHERE series_id = ? AND day = ?")
            for row in try Row.fetchAll(
                db, sql: "SELECT series_id, packed FROM metric_hours WHERE day = ?", arguments: [firstDay])
            {
                let hours = unpackDay(row["packed"])
                let kept = hours.filter { $0.key >= keptFrom }
                guard kept.count < hours.count else { continue }
                try writeDay.execute(arguments: [Data(PackedMetrics.day(kept)), row["series_id"], firstDay])
                deleted += 1
            }
            try db.execute(sql: "DELETE FROM metric_hours WHERE day = ? AND packed = x''", arguments: [firstDay])
        }
        try db.execute(
            sql: "DELETE FROM metric_rollups WHERE resolution = ? AND bucket < ?",
            arguments: [Resolution.daily.rawValue, Resolution.daily.bucket(dailyBefore)])
        deleted += db.changesCount
        return deleted
    }

    // MARK: Reading

    /// The series of a check (of one metric name when `metric` is set), by row id.
    private static func series(_ db: Database, check: String, metric: String?) throws -> [(
        id: Int64, checkID: Int64, series: MetricSeries
    )] {
        var sql = """
            SELECT s.id, s.check_id, s.name, s.unit, s.labels FROM series s JOIN checks c ON c.id = s.check_id
            WHERE c.name = ?
            """
        var arguments: StatementArguments = [check]
        if let metric {
            sql += " AND s.name = ?"
            arguments += [metric]
        }
        sql += " ORDER BY s.name, s.labels"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            (
                row["id"], row["check_id"],
                MetricSeries(
                    name: row["name"], unit: Metric.Unit(rawValue: row["unit"]),
                    labels: MetricSeries.labels(fromCanonical: row["labels"]))
            )
        }
    }

    /// A check's raw values at or after `since`, oldest first, calling `body` with each.
    private static func rawValues(
        _ db: Database, checkID: Int64, since: Int64, _ body: (Int64, Int64, Double) -> Void
    ) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.at, m.packed FROM results r JOIN result_metrics m ON m.result_id = r.rowid
                WHERE r.check_id = ? AND r.at >= ? ORDER BY r.at, r.rowid
                """, arguments: [checkID, since])
        while let row = try rows.next() {
            let at: Int64 = row["at"]
            for (series, value) in unpack(row["packed"]) { body(series, at, value) }
        }
    }

    /// The rollups of `resolution` of a check's series from `since`'s bucket on: those written,
    /// merged with the hours not rolled up yet.
    private static func rollups(
        _ db: Database, checkID: Int64, series ids: Set<Int64>, resolution: Resolution, since: Int64
    ) throws -> [SeriesBucket: MetricRollup] {
        let first = resolution.bucket(since)
        var buckets: [SeriesBucket: MetricRollup] = [:]
        for id in ids {
            switch resolution {
            case .hourly:
                for row in try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT day, packed FROM metric_hours WHERE series_id = ? AND day >= ?"),
                    arguments: [id, Resolution.daily.bucket(first)])
                {
                    let day: Int64 = row["day"]
                    for (index, hour) in unpackDay(row["packed"]) {
                        let bucket = day + Int64(index) * Resolution.hourly.rawValue
                        guard bucket >= first else { continue }
                        buckets[SeriesBucket(series: id, bucket: bucket)] = MetricRollup(hour)
                    }
                }
            case .daily:
                for row in try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT bucket, count, sum_value, min_value, max_value, last_at, last_value
                            FROM metric_rollups WHERE series_id = ? AND resolution = ? AND bucket >= ?
                            """), arguments: [id, Resolution.daily.rawValue, first])
                {
                    var rollup = MetricRollup()
                    rollup.count = row["count"]
                    rollup.sum = row["sum_value"]
                    rollup.min = row["min_value"]
                    rollup.max = row["max_value"]
                    rollup.lastAt = row["last_at"]
                    rollup.last = row["last_value"]
                    buckets[SeriesBucket(series: id, bucket: row["bucket"])] = rollup
                }
            }
        }
        // The hours not rolled up yet, from the raw values.
        let pending = max(try mark(db) ?? .min, first)
        try rawValues(db, checkID: checkID, since: pending) { series, at, value in
            guard ids.contains(series) else { return }
            buckets[SeriesBucket(series: series, bucket: resolution.bucket(at)), default: .init()].add(value, at: at)
        }
        return buckets
    }

    /// See ``ResultStore/metricSeries(check:since:resolution:metric:)``.
    static func metricSeries(
        _ db: Database, check: String, since: Int64, resolution: Resolution?, metric: String?
    ) throws -> [MetricSeries] {
        let found = try series(db, check: check, metric: metric)
        guard let checkID = found.first?.checkID else { return [] }
        var points: [Int64: [MetricSeries.Point]] = [:]
        if let resolution {
            let buckets = try rollups(
                db, checkID: checkID, series: Set(found.map(\.id)), resolution: resolution, since: since)
            for (key, rollup) in buckets {
                points[key.series, default: []].append(
                    MetricSeries.Point(
                        at: key.bucket, value: rollup.sum / Double(max(1, rollup.count)), min: rollup.min,
                        max: rollup.max))
            }
            for key in points.keys { points[key]!.sort { $0.at < $1.at } }
        } else {
            let ids = Set(found.map(\.id))
            try rawValues(db, checkID: checkID, since: since) { series, at, value in
                if ids.contains(series) { points[series, default: []].append(MetricSeries.Point(at: at, value: value)) }
            }
        }
        return found.map { id, _, series in
            var series = series
            series.points = points[id] ?? []
            return series
        }
    }

    /// See ``ResultStore/dailyLastValues(check:metric:labels:since:)``.
    static func dailyLastValues(
        _ db: Database, check: String, metric: String, labels: [String: String], since: Int64
    ) throws -> [(at: Int64, value: Double)] {
        let canonical = MetricSeries.canonical(labels)
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.id, s.check_id FROM series s JOIN checks c ON c.id = s.check_id
                    WHERE c.name = ? AND s.name = ? AND s.labels = ?
                    """, arguments: [check, metric, canonical])
        else { return [] }
        let id: Int64 = row["id"]
        return try rollups(db, checkID: row["check_id"], series: [id], resolution: .daily, since: since)
            .sorted { $0.key.bucket < $1.key.bucket }
            .map { (at: $0.value.lastAt, value: $0.value.last) }
    }
}
