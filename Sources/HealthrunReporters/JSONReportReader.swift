import Foundation
public import HealthrunCore

/// Reads a JSON report (`schema_version` 1) back into a ``RunReport``: the input of
/// `healthrun merge`, which joins the reports of many shards into one.
public enum JSONReportReader {
    /// Why a file is not a report this version can read.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Decodes `bytes`; `file` names the input in errors.
    public static func read(_ bytes: [UInt8], file: String) throws(Failure) -> RunReport {
        let document: Document
        do {
            let version = try JSONDecoder().decode(Version.self, from: Data(bytes))
            guard version.schema_version == 1 else {
                throw Failure(
                    description:
                        "\(file): schema_version \(version.schema_version) is not supported (this healthrun reads 1); merge it with the healthrun that wrote it"
                )
            }
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch let failure as Failure {
            throw failure
        } catch let error as DecodingError {
            throw Failure(description: "\(file): not a healthrun JSON report: \(describe(error))")
        } catch {
            throw Failure(description: "\(file): not a healthrun JSON report: \(error)")
        }
        guard let started = parseDate(document.started_at), let finished = parseDate(document.finished_at) else {
            throw Failure(description: "\(file): started_at and finished_at must be ISO-8601 times")
        }
        let checks = document.checks.map { check in
            CheckResult(
                name: check.name,
                type: check.type,
                status: check.status,
                critical: check.critical,
                duration: .milliseconds(check.duration_ms),
                attempts: check.attempts,
                message: check.message,
                group: check.group,
                tags: check.tags,
                source: parseSource(check.source),
                details: check.details ?? [:],
                metrics: (check.metrics ?? []).compactMap(\.metric),
                startedAt: started
            )
        }
        let groups = document.groups.map { group in
            GroupResult(
                name: group.name,
                policy: group.policy,
                status: group.status,
                members: group.members,
                carriedBy: group.carried_by,
                critical: group.critical ?? true,
                message: group.message ?? ""
            )
        }
        return RunReport(
            tool: RunReport.Tool(name: document.tool.name, version: document.tool.version),
            startedAt: started,
            finishedAt: finished,
            duration: .milliseconds(document.duration_ms),
            checks: checks,
            groups: groups,
            failOnWarn: false,
            cancelled: document.cancelled ?? false
        )
    }

    /// `checks.d/llm.yaml:7` back into a location.
    static func parseSource(_ text: String) -> SourceLocation {
        if let colon = text.lastIndex(of: ":"), let line = Int(text[text.index(after: colon)...]) {
            return SourceLocation(file: String(text[..<colon]), line: line)
        }
        return SourceLocation(file: text)
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `checks[3].status: expected one of ok, warn, fail, skipped`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription.lowercased())"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "invalid JSON (\(context.underlyingError.map { "\($0)" } ?? ""))" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    // Field names as the schema spells them.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct Version: Decodable {
        var schema_version: Int
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct Document: Decodable {
        struct Tool: Decodable {
            var name: String
            var version: String
        }

        struct Check: Decodable {
            var name: String
            var type: String
            var status: CheckStatus
            var critical: Bool
            var duration_ms: Double
            var attempts: Int
            var message: String
            var group: String?
            var tags: [String]
            var source: String
            var details: [String: DetailValue]?
            var metrics: [MetricItem]?
        }

        /// A metric as the report writes it; one that is not valid is dropped.
        struct MetricItem: Decodable {
            var name: String
            var value: Double
            var unit: String?
            var labels: [String: String]?
            var breach: CheckStatus?

            var metric: Metric? {
                guard Metric.isValidName(name), value.isFinite else { return nil }
                let known = unit.flatMap(Metric.Unit.init(rawValue:))
                guard unit == nil || known != nil else { return nil }
                return Metric(name, value, unit: known, labels: labels ?? [:], breach: breach)
            }
        }

        struct Group: Decodable {
            var name: String
            var policy: GroupPolicy
            var status: CheckStatus
            var members: [String]
            var critical: Bool?
            var carried_by: String?
            var message: String?
        }

        var tool: Tool
        var started_at: String
        var finished_at: String
        var duration_ms: Double
        var checks: [Check]
        var groups: [Group]
        var cancelled: Bool?
    }
}
