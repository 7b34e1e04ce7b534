package import Foundation
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
            ("details", .object(result.details.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })),
        ])
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

    static func json(_ value: DetailValue) -> JSONText {
        switch value {
        case .string(let text): .string(text)
        case .int(let number): .integer(number)
        case .double(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .null: .null
        case .array(let values): .array(values.map(json))
        case .object(let object): .object(object.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }
}

/// Time formats shared by the reporters.
package enum Timestamp {
    /// `2026-11-24T12:00:00.000Z`.
    package static func iso8601(_ date: Date) -> String {
        // By hand: an ISO8601DateFormatter costs tens of microseconds to make, and serve's
        // status API formats a time per check per request.
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMs >= 0 ? totalMs / 1000 : (totalMs - 999) / 1000)
        let ms = Int(totalMs - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(ms), 3) + "Z"
    }

    /// Milliseconds rounded to 0.1.
    package static func milliseconds(_ duration: Duration) -> Double {
        (duration.milliseconds * 10).rounded() / 10
    }
}
