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
        text += "# HELP healthrun_run_timestamp_seconds When the run finished, as a Unix time.\n"
        text += "# TYPE healthrun_run_timestamp_seconds gauge\n"
        text += "healthrun_run_timestamp_seconds \(Self.format(report.finishedAt.timeIntervalSince1970))\n"
        text += "# HELP healthrun_run_duration_seconds Wall time of the run.\n"
        text += "# TYPE healthrun_run_duration_seconds gauge\n"
        text += "healthrun_run_duration_seconds \(Self.format(report.duration.seconds))\n"
        return Array(text.utf8)
    }

    package static func labels(_ check: CheckResult) -> String {
        let pairs = [("check", check.name), ("type", check.type), ("group", check.group ?? "")]
        return pairs.map { "\($0.0)=\"\(Escaping.prometheusLabel($0.1))\"" }.joined(separator: ",")
    }

    package static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
