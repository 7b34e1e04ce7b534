import ArgumentParser
import Foundation
import HealthrunCore
import Logging

/// `healthrun run` (the default command).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Load checks.d, run the checks and report (the default command)."
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var limits: RunLimitOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Run only this check (and what it depends on). Repeatable.")
    var only: [String] = []

    @Option(name: .long, help: "Run only checks with this tag (and what they depend on). Repeatable.")
    var tag: [String] = []

    func run() async throws {
        try await request.run()
    }

    /// What the command line asks for, as plain values.
    var request: RunRequest {
        RunRequest(
            location: load.location, timeout: limits.timeout, concurrency: limits.concurrency,
            output: output.settings, only: only, tag: tag)
    }
}

/// A run of checks.d as the command line asks for it: what `RunCommand` reads with
/// ArgumentParser, or ``QuickRunParser`` without it.
struct RunRequest: Equatable {
    var location: ChecksLocation
    var timeout: String
    var concurrency: Int
    var output: OutputSettings
    var only: [String]
    var tag: [String]

    /// Runs, delivers the reports and exits the process with the run's exit code.
    func run() async throws -> Never {
        let session = Session(concurrency: concurrency, pluginsDirectory: location.plugins)
        try output.validateFormats(session.reporters)
        let configuration = session.load(location, defaultTimeout: RunLimitOptions.duration(of: timeout))
        let selection = Selection(names: only, tags: tag)
        try Self.checkSelection(selection, configuration)
        let outcome = await RunExecution.run(
            configuration,
            selection: selection,
            concurrency: RunExecution.fittingConcurrency(concurrency),
            session: session,
            output: output,
            shutsDownHTTP: false
        )
        // The run is over and its reports are delivered: the process ends here, and the kernel
        // closes the connections that shutting the HTTP clients down would close one by one
        // (0.4 ms of a run of one check). Exiting before `session` is released also keeps
        // AsyncHTTPClient's debug-build check for a client that was not shut down from running.
        Foundation.exit(outcome.exitCode)
    }

    /// `--only`/`--tag` naming nothing is a usage error with the nearest name or the tags in use.
    static func checkSelection(_ selection: Selection, _ configuration: LoadedConfiguration) throws {
        for name in selection.unknownNames(in: configuration.checks) {
            let nearest = Suggestions.nearest(to: name, in: configuration.checks.map(\.name))
            throw ValidationError(
                "--only: no check named '\(name)'" + (nearest.map { "; did you mean '\($0)'?" } ?? ""))
        }
        for tag in selection.tags where !configuration.checks.contains(where: { $0.tags.contains(tag) }) {
            let all = Set(configuration.checks.flatMap(\.tags)).sorted()
            throw ValidationError(
                "--tag: no check has tag '\(tag)'; tags in use: \(all.isEmpty ? "none" : all.joined(separator: ", "))")
        }
    }
}

extension ExitCode {
    init(_ outcome: RunExecution.Outcome) {
        self.init(outcome.exitCode)
    }
}

/// Options for what a run prints and writes.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("r"), .long], help: "FORMAT[:PATH] to write; '-' is stdout. Repeatable.")
    var report: [String] = []

    @Option(name: .long, help: "warn: a critical warning fails the run too (default: fail).")
    var failOn: FailOn = .fail

    @Flag(name: .long, help: "No colour (also when NO_COLOR is set or stdout is not a terminal).")
    var noColor = false

    @Flag(name: [.customShort("q"), .long], help: "No console table; reports and the exit code only.")
    var quiet = false

    @Flag(name: [.customShort("v"), .long], help: "Log each attempt to stderr.")
    var verbose = false

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case warn, fail
    }

    /// What the options say, as plain values.
    var settings: OutputSettings {
        OutputSettings(report: report, failOn: failOn, noColor: noColor, quiet: quiet, verbose: verbose)
    }

    func validateFormats(_ reporters: ReporterRegistry) throws {
        try settings.validateFormats(reporters)
    }
}

/// What a run prints and writes.
struct OutputSettings: Equatable {
    var report: [String] = []
    var failOn: OutputOptions.FailOn = .fail
    var noColor = false
    var quiet = false
    var verbose = false

    var targets: [ReportTarget] { report.map(ReportTarget.init(parsing:)) }

    func validateFormats(_ reporters: ReporterRegistry) throws {
        for target in targets where reporters.reporter(named: target.format) == nil {
            let nearest = Suggestions.nearest(to: target.format, in: reporters.formatNames)
            throw ValidationError(
                "--report: unknown format '\(target.format)'" + (nearest.map { "; did you mean '\($0)'?" } ?? "")
                    + "\nformats: \(reporters.formatNames.joined(separator: ", ")) (write FORMAT or FORMAT:PATH)"
            )
        }
    }
}
