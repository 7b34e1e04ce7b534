import ArgumentParser
import Foundation
public import HealthrunCore

/// The command-line entry point, for `healthrun` itself and for executables that add their
/// own checker types and reporters.
public enum HealthrunMain {
    /// Parses the command line, runs, and exits with healthrun's exit codes: 0 passed,
    /// 1 a critical check failed, 2 invalid configuration or command line.
    public static func main(
        tool: RunReport.Tool = .healthrun,
        customize:
            @escaping @Sendable (_ checkers: inout CheckerRegistry, _ reporters: inout ReporterRegistry) -> Void = {
                _, _ in
            }
    ) async -> Never {
        let toolkit = Toolkit(tool: tool, customize: customize)
        await Toolkit.$current.withValue(toolkit) {
            await HealthrunCommand.main()
        }
        exit(0)
    }
}

/// The root command.
struct HealthrunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthrun",
        abstract: "Run the health checks of a checks.d directory, concurrently, each under a deadline.",
        discussion: """
            Exit codes: 0 every critical check passed, 1 a critical check failed, 2 invalid \
            configuration or command line, 130/143 interrupted.
            """,
        version: healthrunVersion,
        subcommands: [
            RunCommand.self, ValidateCommand.self, ListCommand.self, TypesCommand.self, DemoCommand.self,
            MergeCommand.self, ServeCommand.self, BenchStoreCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Usage errors exit 2 (ArgumentParser's own default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
