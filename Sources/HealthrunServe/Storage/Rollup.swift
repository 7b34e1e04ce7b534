import Foundation
public import HealthrunCore

/// Counts per status and a latency histogram over one bucket of time (an hour or a day).
public struct Rollup: Sendable, Hashable {
    public var ok = 0
    public var warn = 0
    public var fail = 0
    public var skipped = 0
    /// Latencies of the runs that ran (not skipped ones).
    public var latency = LatencyHistogram()

    /// An empty rollup.
    public init() {}

    /// Counts one result.
    public mutating func record(_ status: CheckStatus, milliseconds: Double) {
        switch status {
        case .ok: ok += 1
        case .warn: warn += 1
        case .fail: fail += 1
        case .skipped: skipped += 1
        }
        if status != .skipped { latency.record(milliseconds: milliseconds) }
    }

    /// Adds another rollup.
    public mutating func merge(_ other: Rollup) {
        ok += other.ok
        warn += other.warn
        fail += other.fail
        skipped += other.skipped
        latency.merge(other.latency)
    }

    /// Passing runs over runs that ran (ok + warn over ok + warn + fail); `nil` when none ran.
    public var uptime: Double? {
        let ran = ok + warn + fail
        return ran == 0 ? nil : Double(ok + warn) / Double(ran)
    }

    /// Every result counted.
    public var total: Int { ok + warn + fail + skipped }
}

/// How long each kind of row is kept: `--retention raw=48h,hourly=90d,daily=2y`.
public struct Retention: Sendable, Hashable {
    /// Raw results.
    public var raw: Duration
    /// Hourly rollups.
    public var hourly: Duration
    /// Daily rollups.
    public var daily: Duration

    /// The defaults: raw 48 h, hourly 90 days, daily 2 years.
    public init(
        raw: Duration = .seconds(48 * 3600), hourly: Duration = .seconds(90 * 86400),
        daily: Duration = .seconds(730 * 86400)
    ) {
        self.raw = raw
        self.hourly = hourly
        self.daily = daily
    }

    /// Parses `raw=48h,hourly=90d,daily=2y`; keys left out keep their default.
    public init(parsing text: String) throws(RetentionError) {
        self.init()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw RetentionError("expected KEY=DURATION, got '\(part)'") }
            let duration: Duration
            if let years = pair[1].hasSuffix("y") ? Int(pair[1].dropLast()) : nil {
                duration = .seconds(years * 365 * 86400)
            } else if let days = pair[1].hasSuffix("d") ? Int(pair[1].dropLast()) : nil {
                duration = .seconds(days * 86400)
            } else {
                do {
                    duration = try DurationParser.parse(pair[1])
                } catch {
                    throw RetentionError("invalid duration '\(pair[1])' for \(pair[0]): \(error)")
                }
            }
            guard duration >= .seconds(3600) else { throw RetentionError("\(pair[0]) must keep at least 1h") }
            switch pair[0] {
            case "raw": raw = duration
            case "hourly": hourly = duration
            case "daily": daily = duration
            default: throw RetentionError("unknown retention key '\(pair[0])'; use raw, hourly or daily")
            }
        }
    }
}

/// A `--retention` value that does not parse.
public struct RetentionError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
