import ArgumentParser
import Foundation
import HealthrunCheckers
import HealthrunCore

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
        let session = Session(concurrency: load.concurrency, pluginsDirectory: load.plugins)
        let configuration = session.load(load, alerting: serve)
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

    func run() async throws {
        let session = Session(concurrency: load.concurrency, pluginsDirectory: load.plugins)
        let configuration = session.load(load)
        var rows = [["NAME", "TYPE", "GROUP", "TAGS", "SOURCE"]]
        for check in configuration.checks {
            rows.append([
                check.name, check.type, check.group ?? "-",
                check.tags.isEmpty ? "-" : check.tags.joined(separator: ","),
                check.source.fileAndLine,
            ])
        }
        print(Table.render(rows))
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
        let directory = pluginsDir ?? ProcessInfo.processInfo.environment["HEALTHRUN_PLUGINS_DIR"] ?? "Plugins"
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
