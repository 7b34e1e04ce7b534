import ArgumentParser
import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunReporters

/// `healthrun validate`: load only.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load checks.d and report problems; run nothing. Exit 0 when valid, 2 otherwise."
    )

    @OptionGroup var load: LoadOptions

    @Flag(
        name: .long,
        help: "Also check what only serve reads: alert: and alerting: (and the variables they use).")
    var serve = false

    func run() async throws {
        let session = Session(concurrency: 1, pluginsDirectory: load.plugins)
        let configuration = session.load(load.location, serve: serve)
        let groups = configuration.groups.count
        print(
            "\(load.directory): \(configuration.checks.count) check\(configuration.checks.count == 1 ? "" : "s")"
                + (groups > 0 ? " in \(groups) group\(groups == 1 ? "" : "s")" : "")
                + " from \(configuration.files.count) file\(configuration.files.count == 1 ? "" : "s"), valid"
        )
    }
}

/// `healthrun list`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the checks: name, type, group, tags and where each is defined."
    )

    @OptionGroup var load: LoadOptions

    @Option(name: .long, help: "List only this check (and what it depends on). Repeatable.")
    var only: [String] = []

    @Option(name: .long, help: "List only checks with this tag (and what they depend on). Repeatable.")
    var tag: [String] = []

    @Option(name: [.customShort("r"), .long], help: "table (default) or json[:PATH]; '-' is stdout.")
    var report: String = "table"

    func validate() throws {
        let target = ReportTarget(parsing: report)
        guard ["table", "json"].contains(target.format) else {
            throw ValidationError("--report: list writes 'table' or 'json[:PATH]', not '\(target.format)'")
        }
    }

    func run() async throws {
        let session = Session(concurrency: 1, pluginsDirectory: load.plugins)
        let configuration = session.load(load.location)
        let selection = Selection(names: only, tags: tag)
        try RunRequest.checkSelection(selection, configuration)
        let checks = selection.apply(to: configuration)
        let target = ReportTarget(parsing: report)
        if target.format == "json" {
            let bytes = Array((Self.document(checks, redactor: configuration.redactor).rendered() + "\n").utf8)
            do {
                try ReportWriter.write(bytes, to: target.path ?? "-")
            } catch {
                printError("healthrun: \(error)")
                throw ExitCode(2)
            }
            return
        }
        var rows = [["NAME", "TYPE", "GROUP", "TAGS", "SOURCE"]]
        for check in checks {
            rows.append([
                check.name, check.type, check.group ?? "-",
                check.tags.isEmpty ? "-" : check.tags.joined(separator: ","),
                check.source.fileAndLine,
            ])
        }
        print(Table.render(rows))
    }

    /// `{"checks": [{"name", "type", "group", "tags", "critical", "depends_on", "timeout_ms", "target", "source"}]}`.
    static func document(_ checks: [CheckDefinition], redactor: Redactor) -> JSONText {
        .object([("checks", .array(checks.map { entry($0, redactor: redactor) }))])
    }

    private static func entry(_ check: CheckDefinition, redactor: Redactor) -> JSONText {
        let tags: [JSONText] = check.tags.map { .string($0) }
        let dependencies: [JSONText] = check.dependsOn.map { .string($0) }
        let group: JSONText = check.group.map { .string($0) } ?? .null
        // Masked like every result's details.target: a secret may sit in a URL's path.
        let target: JSONText = check.checker.target.map { .string(redactor.redact($0)) } ?? .null
        return .object([
            ("name", .string(check.name)),
            ("type", .string(check.type)),
            ("group", group),
            ("tags", .array(tags)),
            ("critical", .bool(check.critical)),
            ("depends_on", .array(dependencies)),
            ("timeout_ms", .number(check.timeout.milliseconds)),
            ("target", target),
            ("source", .string(check.source.fileAndLine)),
        ])
    }
}

/// `healthrun types`.
struct TypesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "types",
        abstract: "List the registered checker types and report formats."
    )

    @Option(name: .long, help: "Executable checker plugins (default ./Plugins or $HEALTHRUN_PLUGINS_DIR).")
    var pluginsDir: String?

    func run() async throws {
        let directory = pluginsDir ?? ProcessEnvironment.values["HEALTHRUN_PLUGINS_DIR"] ?? "Plugins"
        let session = Session(concurrency: 1, pluginsDirectory: directory)
        var rows = [["CHECKER TYPE", "WHAT IT CHECKS"]]
        for factory in session.checkers.all { rows.append([factory.typeName, factory.summary]) }
        for plugin in PluginDirectory(path: directory).plugins()
        where session.checkers.factory(for: plugin.name)?.summary.hasPrefix("plugin") ?? true {
            rows.append([plugin.name, "plugin \(plugin.path)" + (plugin.isExecutable ? "" : " (not executable)")])
        }
        print(Table.render(rows))
        print("")
        print("report formats: " + session.reporters.formatNames.joined(separator: ", "))
    }
}

enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == columns - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
