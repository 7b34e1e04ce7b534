import Dispatch
import Foundation
import HealthrunCheckers
import HealthrunCore
import Logging

/// Runs a loaded configuration the way the CLI does: signals, console, reports, exit code.
enum RunExecution {
    struct Outcome {
        var report: RunReport
        var exitCode: Int32
    }

    /// Raises the open-file limit and lowers `requested` (saying so) when it still does not fit,
    /// rather than failing checks at random with "too many open files".
    static func fittingConcurrency(_ requested: Int) -> Int {
        let limit = OpenFileLimit.raiseToHardLimit()
        let (concurrency, clamped) = OpenFileLimit.clamp(requested, limit: limit)
        if clamped {
            printError(
                "healthrun: --concurrency \(requested) needs more open files than the limit allows (\(limit)); running \(concurrency) at a time"
            )
        }
        return concurrency
    }

    /// Runs the checks and delivers the reports. `shutsDownHTTP`: close the HTTP clients'
    /// connections before returning; a caller that exits the process at once passes false.
    static func run(
        _ configuration: LoadedConfiguration,
        selection: Selection,
        concurrency: Int,
        session: Session,
        output: OutputSettings,
        shutsDownHTTP: Bool = true
    ) async -> Outcome {
        var logger = Logger(label: "healthrun") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = output.verbose ? .debug : .warning
        var engine = Engine(
            concurrency: concurrency,
            logger: logger,
            tool: session.tool,
            failOnWarn: output.failOn == .warn
        )
        // Only when a check will use them: a run of postgres checks starts no event loop.
        if configuration.checks.contains(where: { !type(of: $0.checker).mayBlock }) {
            engine.nonBlockingExecutors = EventLoopExecutor.forSharedEventLoops
        }
        let signals = SignalWatcher()
        let runTask = Task { await engine.run(configuration, selection: selection) }
        signals.start { runTask.cancel() }
        let report = await runTask.value
        if signals.received != nil { ProcessGroups.killAll() }
        // A timed-out plugin that ignores SIGTERM is still in its grace: end it before exiting.
        ProcessGroups.terminateAll()
        if shutsDownHTTP { await session.http.shutdown() }
        var code = deliver(report, reporters: session.reporters, output: output)
        if let signal = signals.received { code = 128 + signal }
        return Outcome(report: report, exitCode: code)
    }

    /// Prints the console table and writes every report `output` asks for; returns the exit
    /// code: the report's, or 2 when any requested report could not be written (a gate whose
    /// artifacts are missing must not pass).
    static func deliver(_ report: RunReport, reporters: ReporterRegistry, output: OutputSettings) -> Int32 {
        let environment = ProcessEnvironment.values
        let color =
            !output.noColor && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
            && environment["TERM"] != "dumb"
        let options = RenderOptions(color: color, environment: environment, verbose: output.verbose)
        var targets = output.targets
        let stdoutTaken = targets.contains { target in
            target.format != "github"
                && (target.path ?? reporters.reporter(named: target.format)?.defaultPath) == "-"
        }
        if !output.quiet, !stdoutTaken {
            targets.insert(ReportTarget(format: "console", path: "-"), at: 0)
        }
        // In GitHub Actions: annotations for failed and warned checks, and the summary table.
        let inGitHubActions = environment["GITHUB_ACTIONS"] == "true"
        if inGitHubActions, !targets.contains(where: { $0.format == "github" }),
            reporters.reporter(named: "github") != nil
        {
            targets.append(ReportTarget(format: "github", path: "-"))
        }
        var failed = 0
        for target in targets {
            guard let reporter = reporters.reporter(named: target.format) else { continue }
            let path = reportPath(target.path ?? reporter.defaultPath, reporter: reporter)
            do {
                let bytes = try reporter.render(
                    report, options: path == "-" ? options : RenderOptions(environment: environment))
                try ReportWriter.write(bytes, to: path)
                if path != "-", !output.quiet { printError("wrote \(path) (\(target.format))") }
            } catch {
                failed += 1
                printError("healthrun: \(target.format) report: \(error)")
            }
        }
        if inGitHubActions, let summaryPath = environment["GITHUB_STEP_SUMMARY"], !summaryPath.isEmpty,
            let markdown = reporters.reporter(named: "markdown")
        {
            do {
                try ReportWriter.append(
                    try markdown.render(report, options: RenderOptions(environment: environment)), to: summaryPath)
            } catch {
                failed += 1
                printError("healthrun: step summary: \(error)")
            }
        }
        if failed > 0 {
            printError(
                "healthrun: \(failed) report\(failed == 1 ? "" : "s") could not be written; exit 2 (the run itself \(report.exitCode == 0 ? "passed" : "failed"))"
            )
            return 2
        }
        return report.exitCode
    }

    /// A path that is an existing directory, or ends with `/`, gets the format's default file
    /// name inside it (`-r junit:reports/` writes `reports/healthrun-junit.xml`).
    static func reportPath(_ path: String, reporter: any Reporter) -> String {
        guard path != "-" else { return path }
        var isDirectory: ObjCBool = false
        let endsWithSlash = path.hasSuffix("/")
        guard
            endsWithSlash
                || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        else { return path }
        let fileName =
            reporter.defaultPath == "-"
            ? "healthrun-\(reporter.formatName).txt" : (reporter.defaultPath as NSString).lastPathComponent
        return (endsWithSlash ? path : path + "/") + fileName
    }
}

/// First SIGINT/SIGTERM: cancel the run (reports are still written). Second: exit at once.
final class SignalWatcher: Sendable {
    private let state = Locked<(received: Int32?, sources: [any DispatchSourceSignal])>((nil, []))

    var received: Int32? { state.withLock { $0.received } }

    func start(onFirst: @escaping @Sendable () -> Void) {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let first = state.withLock { state -> Bool in
                    if state.received != nil { return false }
                    state.received = number
                    return true
                }
                if first {
                    printError(
                        "healthrun: \(number == SIGINT ? "interrupted" : "terminated"); cancelling the run (again to exit now)"
                    )
                    onFirst()
                } else {
                    ProcessGroups.killAll()
                    exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
        state.withLock { $0.sources = sources }
    }
}
