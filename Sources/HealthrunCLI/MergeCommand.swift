import ArgumentParser
import Foundation
import HealthrunCore
import HealthrunReporters

/// `healthrun merge a.json b.json …`: the JSON reports of many shards (machines, CI matrix
/// jobs, CronJobs) joined into one report, written in any format, with one exit code.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge JSON reports of several runs into one report (any format) and one exit code.",
        discussion: """
            Check and group names must be unique across the reports; --prefix names them \
            SHARD/NAME after each report's file name instead. The merged run starts with the \
            earliest report and finishes with the latest.
            """
    )

    @Argument(help: "JSON reports (schema_version 1) written by `healthrun run --report json:PATH`.")
    var reports: [String]

    @Flag(name: .long, help: "Name checks and groups SHARD/NAME, SHARD being the report's file name without .json.")
    var prefix = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("merge: name at least one JSON report") }
    }

    func run() throws {
        let toolkit = Toolkit.current
        var checkers = CheckerRegistry()
        var reporters = ReporterRegistry.builtin
        toolkit.customize(&checkers, &reporters)
        try output.validateFormats(reporters)

        var shards: [(file: String, report: RunReport)] = []
        for file in reports {
            let descriptor = open(file, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw ValidationError("\(file): cannot read file: \(String(cString: strerror(errno)).lowercased())")
            }
            let bytes: Data
            do {
                bytes = try FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readToEnd() ?? Data()
            } catch {
                throw ValidationError("\(file): cannot read file: \(error.localizedDescription)")
            }
            do {
                var report = try JSONReportReader.read(Array(bytes), file: file)
                if prefix { report = Self.prefixed(report, with: Self.shardName(file)) }
                shards.append((file, report))
            } catch {
                throw ValidationError(error.description)
            }
        }
        let merged = try Self.merge(shards, tool: toolkit.tool, failOnWarn: output.failOn == .warn)
        throw ExitCode(RunExecution.deliver(merged, reporters: reporters, output: output.settings))
    }

    /// `reports/eu-1.json` → `eu-1`.
    static func shardName(_ file: String) -> String {
        let base = URL(fileURLWithPath: file).lastPathComponent
        return base.hasSuffix(".json") ? String(base.dropLast(5)) : base
    }

    static func prefixed(_ report: RunReport, with shard: String) -> RunReport {
        var report = report
        for index in report.checks.indices {
            report.checks[index].name = "\(shard)/\(report.checks[index].name)"
            report.checks[index].group = report.checks[index].group.map { "\(shard)/\($0)" }
        }
        for index in report.groups.indices {
            report.groups[index].name = "\(shard)/\(report.groups[index].name)"
            report.groups[index].members = report.groups[index].members.map { "\(shard)/\($0)" }
            report.groups[index].carriedBy = report.groups[index].carriedBy.map { "\(shard)/\($0)" }
        }
        return report
    }

    /// One report of all: checks and groups in the order of the inputs; names must not repeat.
    static func merge(
        _ shards: [(file: String, report: RunReport)],
        tool: RunReport.Tool,
        failOnWarn: Bool
    ) throws(ValidationError) -> RunReport {
        var owners: [String: String] = [:]  // "check NAME" or "group NAME" → the report it came from
        func claim(_ kind: String, _ name: String, in file: String) throws(ValidationError) {
            if let other = owners["\(kind) \(name)"] {
                throw ValidationError(
                    "\(file): \(kind) '\(name)' is also in \(other); give each shard's \(kind)s their own names, or pass --prefix to name them SHARD/NAME"
                )
            }
            owners["\(kind) \(name)"] = file
        }
        for (file, report) in shards {
            for check in report.checks { try claim("check", check.name, in: file) }
            for group in report.groups { try claim("group", group.name, in: file) }
        }
        let checks = shards.flatMap(\.report.checks)
        let groups = shards.flatMap(\.report.groups)
        let startedAt = shards.map(\.report.startedAt).min() ?? Date()
        let finishedAt = shards.map(\.report.finishedAt).max() ?? startedAt
        let wall = Duration.seconds(max(0, finishedAt.timeIntervalSince(startedAt)))
        return RunReport(
            tool: tool,
            startedAt: startedAt,
            finishedAt: finishedAt,
            duration: max(wall, shards.map(\.report.duration).max() ?? .zero),
            checks: checks,
            groups: groups,
            failOnWarn: failOnWarn,
            cancelled: shards.contains { $0.report.cancelled }
        )
    }

}
