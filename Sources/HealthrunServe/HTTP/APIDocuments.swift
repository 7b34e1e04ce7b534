import Foundation
import HealthrunCore
import HealthrunReporters

/// The JSON bodies of the API, built from memory or the store.
enum APIDocuments {
    static func time(_ ms: Int64) -> String {
        Timestamp.iso8601(unixMilliseconds: ms)
    }

    static func optional(_ value: Double?) -> JSONText {
        value.map { .number(($0 * 10_000).rounded() / 10_000) } ?? .null
    }

    /// `/api/v1/status`: the JSON report, each check with `interval_ms`, `last_run_at`, `uptime_24h`.
    static func status(_ state: LiveState, defaultInterval: Duration, now: Int64) -> JSONText {
        let report = state.report(now: Date(unixMilliseconds: now))
        let intervals = Dictionary(
            state.configuration.checks.map { ($0.name, $0.interval(default: defaultInterval)) },
            uniquingKeysWith: { a, _ in a })
        return JSONReporter.document(for: report) { result in
            guard case .object(var fields) = JSONReporter.check(result) else { return .null }
            fields.append(("interval_ms", .integer(Int((intervals[result.name] ?? defaultInterval).wholeMilliseconds))))
            fields.append(("last_run_at", state.lastRunAt(result.name).map { .string(time($0)) } ?? .null))
            fields.append(("uptime_24h", optional(state.recentUptime(result.name, now: now))))
            return .object(fields)
        }
    }

    static func results(check: String, _ results: [StoredResult]) -> JSONText {
        .object([
            ("check", .string(check)),
            (
                "results",
                .array(
                    results.map { result in
                        .object([
                            ("at", .string(time(result.at))), ("status", .string(result.status.rawValue)),
                            ("duration_ms", .number((result.durationMs * 10).rounded() / 10)),
                            ("message", .string(result.message)),
                        ])
                    })
            ),
        ])
    }

    static func summary(check: String, window: String, rollup: Rollup) -> JSONText {
        .object([
            ("check", .string(check)),
            ("window", .string(window)),
            ("uptime", optional(rollup.uptime)),
            (
                "counts",
                .object([
                    ("ok", .integer(rollup.ok)), ("warn", .integer(rollup.warn)), ("fail", .integer(rollup.fail)),
                    ("skipped", .integer(rollup.skipped)),
                ])
            ),
            (
                "latency_ms",
                .object([
                    ("p50", optional(rollup.latency.quantile(0.5))), ("p95", optional(rollup.latency.quantile(0.95))),
                    ("p99", optional(rollup.latency.quantile(0.99))),
                ])
            ),
        ])
    }

    /// `{"check", "window", "step_s", "series": [{"metric", "unit", "labels", "points": [[ms, v]],
    /// "min"?, "max"?}]}`; min and max (same times as the points) for rollups only.
    static func metrics(check: String, window: String, stepSeconds: Int, series: [MetricSeries]) -> JSONText {
        .object([
            ("check", .string(check)), ("window", .string(window)), ("step_s", .integer(stepSeconds)),
            (
                "series",
                .array(
                    series.map { series in
                        var fields: [(String, JSONText)] = [
                            ("metric", .string(series.name)),
                            ("unit", series.unit.map { .string($0.rawValue) } ?? .null),
                            (
                                "labels",
                                .object(series.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                            ),
                            (
                                "points",
                                .array(series.points.map { .array([.integer(Int($0.at)), .number($0.value)]) })
                            ),
                        ]
                        if series.points.contains(where: { $0.min != nil }) {
                            fields.append(
                                (
                                    "min",
                                    .array(
                                        series.points.map {
                                            .array([.integer(Int($0.at)), $0.min.map(JSONText.number) ?? .null])
                                        })
                                ))
                            fields.append(
                                (
                                    "max",
                                    .array(
                                        series.points.map {
                                            .array([.integer(Int($0.at)), $0.max.map(JSONText.number) ?? .null])
                                        })
                                ))
                        }
                        return .object(fields)
                    })
            ),
        ])
    }

    static func change(_ change: StateChange) -> JSONText {
        .object([
            ("check", .string(change.check)), ("at", .string(time(change.at))),
            ("from", change.from.map { .string($0.rawValue) } ?? .null), ("to", .string(change.to.rawValue)),
            ("message", .string(change.message)),
        ])
    }

    static func events(_ changes: [StateChange]) -> JSONText {
        .object([("events", .array(changes.map(change)))])
    }

    static func error(_ message: String, hints: [String] = []) -> JSONText {
        var fields: [(String, JSONText)] = [("error", .string(message))]
        if !hints.isEmpty { fields.append(("diagnostics", .array(hints.map(JSONText.string)))) }
        return .object(fields)
    }
}

/// Frames for `/api/v1/stream`.
enum ServerSentEvents {
    static func result(_ result: CheckResult, at: Int64, change: StateChange?) -> String {
        let data = JSONText.object([
            ("check", .string(result.name)), ("at", .string(APIDocuments.time(at))),
            ("status", .string(result.status.rawValue)),
            ("duration_ms", .number(Timestamp.milliseconds(result.duration))), ("message", .string(result.message)),
        ])
        var frame = "event: result\ndata: \(data.compact())\n\n"
        if let change { frame += "event: change\ndata: \(APIDocuments.change(change).compact())\n\n" }
        return frame
    }
}
