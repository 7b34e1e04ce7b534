import Foundation
public import HealthrunCore

/// The text exposition format for node_exporter's textfile collector. Written atomically by the
/// core, so a scraper never reads half a file.
public struct PrometheusReporter: Reporter {
    public let formatName = "prometheus"
    public let defaultPath = "healthrun.prom"

    /// Creates the reporter.
    public init() {}

    /// The per-check series, shared with `serve`'s `/metrics`.
    package static let families: [(name: String, help: String, value: @Sendable (CheckResult) -> String)] = [
        ("healthrun_check_up", "1 when the check passed (ok or warn), else 0.", { $0.status.isPassing ? "1" : "0" }),
        (
            "healthrun_check_status", "0 ok, 1 warn, 2 fail, 3 skipped.", { String($0.status.code) }
        ),
        (
            "healthrun_check_duration_seconds", "Duration of the check's final attempt.",
            { format($0.duration.seconds) }
        ),
        ("healthrun_check_attempts", "Attempts made (0 when skipped).", { String($0.attempts) }),
    ]

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        var text = ""
        for family in Self.families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for check in report.checks {
                text += "\(family.name){\(Self.labels(check))} \(family.value(check))\n"
            }
        }
        text += Self.metricSeries(report.checks)
        text += "# HELP healthrun_run_timestamp_seconds When the run finished, as a Unix time.\n"
        text += "# TYPE healthrun_run_timestamp_seconds gauge\n"
        text += "healthrun_run_timestamp_seconds \(Self.format(report.finishedAt.timeIntervalSince1970))\n"
        text += "# HELP healthrun_run_duration_seconds Wall time of the run.\n"
        text += "# TYPE healthrun_run_duration_seconds gauge\n"
        text += "healthrun_run_duration_seconds \(Self.format(report.duration.seconds))\n"
        return Array(text.utf8)
    }

    /// `healthrun_check_metric{check,type,group,metric,unit,<labels>} value` for every metric of
    /// every check, one series each (a repeated label set keeps its last value), with the HELP
    /// and TYPE lines; empty when no check has metrics. Shared with `serve`'s `/metrics`.
    package static func metricSeries(_ checks: [CheckResult]) -> String {
        var lines: [String] = []
        var seen: [String: Int] = [:]
        for check in checks {
            for metric in check.metrics {
                var pairs = [("metric", metric.name), ("unit", metric.unit?.rawValue ?? "")]
                for (key, value) in metric.labels.sorted(by: { $0.key < $1.key }) {
                    pairs.append((labelName(key), value))
                }
                let series =
                    "healthrun_check_metric{\(labels(check)),"
                    + pairs.map { "\($0.0)=\"\(Escaping.prometheusLabel($0.1))\"" }.joined(separator: ",") + "}"
                let line = "\(series) \(format(metric.value))"
                if let index = seen[series] {
                    lines[index] = line
                } else {
                    seen[series] = lines.count
                    lines.append(line)
                }
            }
        }
        guard !lines.isEmpty else { return "" }
        return "# HELP healthrun_check_metric A number a check measured, by metric name, unit and labels.\n"
            + "# TYPE healthrun_check_metric gauge\n" + lines.joined(separator: "\n") + "\n"
    }

    /// A metric label's name as Prometheus allows it (`[a-zA-Z_][a-zA-Z0-9_]*`, not `__…`), and
    /// never one of the series' own (`check`, `type`, `group`, `metric`, `unit`): those get `label_`.
    static func labelName(_ key: String) -> String {
        var name = String(
            key.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                    ? Character(scalar) : "_"
            })
        if name.isEmpty || name.first!.isNumber { name = "_" + name }
        if name.hasPrefix("__") || ["check", "type", "group", "metric", "unit"].contains(name) {
            name = "label_" + name
        }
        return name
    }

    package static func labels(_ check: CheckResult) -> String {
        let pairs = [("check", check.name), ("type", check.type), ("group", check.group ?? "")]
        return pairs.map { "\($0.0)=\"\(Escaping.prometheusLabel($0.1))\"" }.joined(separator: ",")
    }

    package static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
