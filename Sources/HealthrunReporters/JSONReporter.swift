import Foundation
public import HealthrunCore

/// The JSON report (`schema_version` 1): the format other tools read.
public struct JSONReporter: Reporter {
    public let formatName = "json"
    public let defaultPath = "healthrun-report.json"

    /// Creates the reporter.
    public init() {}

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        Array((Self.document(for: report).rendered() + "\n").utf8)
    }

    /// The report as a JSON value; `serve`'s status API shares it.
    package static func document(for report: RunReport) -> JSONText {
        document(for: report, check: check)
    }

    /// The document with each check rendered by `check` (serve adds fields to each).
    package static func document(for report: RunReport, check: (CheckResult) -> JSONText) -> JSONText {
        let summary = report.summary
        let groups = report.groupSummary
        func counts(_ summary: RunReport.Summary) -> [(String, JSONText)] {
            [
                ("total", .integer(summary.total)), ("ok", .integer(summary.ok)), ("warn", .integer(summary.warn)),
                ("fail", .integer(summary.fail)), ("skipped", .integer(summary.skipped)),
            ]
        }
        return .object([
            ("schema_version", .integer(1)),
            ("tool", .object([("name", .string(report.tool.name)), ("version", .string(report.tool.version))])),
            ("started_at", .string(Timestamp.iso8601(report.startedAt))),
            ("finished_at", .string(Timestamp.iso8601(report.finishedAt))),
            ("duration_ms", .number(Timestamp.milliseconds(report.duration))),
            ("status", .string(report.status.rawValue)),
            ("cancelled", .bool(report.cancelled)),
            (
                "summary",
                .object(counts(summary) + [("groups", .object(counts(groups)))])
            ),
            ("checks", .array(report.checks.map(check))),
            ("groups", .array(report.groups.map(group))),
        ])
    }

    package static func check(_ result: CheckResult) -> JSONText {
        .object([
            ("name", .string(result.name)),
            ("type", .string(result.type)),
            ("status", .string(result.status.rawValue)),
            ("critical", .bool(result.critical)),
            ("duration_ms", .number(Timestamp.milliseconds(result.duration))),
            ("attempts", .integer(result.attempts)),
            ("message", .string(result.message)),
            ("group", result.group.map(JSONText.string) ?? .null),
            ("tags", .array(result.tags.map(JSONText.string))),
            ("source", .string(result.source.fileAndLine)),
            ("details", .object(result.details.sorted { $0.key < $1.key }.map { ($0.key, JSONText($0.value)) })),
            ("metrics", .array(result.metrics.map(metric))),
        ])
    }

    /// `{"name", "value", "unit"?, "labels"?, "breach"?}`.
    package static func metric(_ metric: Metric) -> JSONText {
        var fields: [(String, JSONText)] = [("name", .string(metric.name)), ("value", .number(metric.value))]
        if let unit = metric.unit { fields.append(("unit", .string(unit.rawValue))) }
        if !metric.labels.isEmpty {
            fields.append(
                ("labels", .object(metric.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        if let breach = metric.breach { fields.append(("breach", .string(breach.rawValue))) }
        return .object(fields)
    }

    package static func group(_ result: GroupResult) -> JSONText {
        .object([
            ("name", .string(result.name)),
            ("policy", .string(result.policy.rawValue)),
            ("status", .string(result.status.rawValue)),
            ("members", .array(result.members.map(JSONText.string))),
            ("carried_by", result.carriedBy.map(JSONText.string) ?? .null),
            ("critical", .bool(result.critical)),
            ("message", .string(result.message)),
        ])
    }
}
