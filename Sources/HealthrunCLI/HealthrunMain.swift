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
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let message = unknownCommand(in: arguments) {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(2)
        }
        // The plain run's command line is read without ArgumentParser when it can be.
        let quick = QuickRunParser.parse(arguments)
        var command: (any ParsableCommand)?
        if quick == nil {
            do {
                command = try parseAsRoot()
            } catch {
                exitForParseError(error)
            }
        }
        do {
            if let quick {
                try await quick.run()
            } else if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command?.run()
            }
        } catch let error as ValidationError {
            // A problem found while running (an unknown report format, --only naming no check):
            // the message says what to do; the usage of the root command would not.
            FileHandle.standardError.write(Data("healthrun: \(error.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            exit(withError: error)
        }
    }

    /// The commands a user types (hidden ones left out).
    static var commandNames: [String] {
        configuration.subcommands.filter { $0.configuration.shouldDisplay }.compactMap { $0.configuration.commandName }
    }

    /// `healthrun valdiate`: the run command takes no positional argument, so a first word that
    /// is not a command is a mistyped command, not an argument.
    static func unknownCommand(in arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !first.isEmpty else { return nil }
        let all = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !all.contains(first) else { return nil }
        let nearest = Suggestions.nearest(to: first, in: commandNames)
        return "healthrun: unknown command '\(first)'" + (nearest.map { "; did you mean '\($0)'?" } ?? "")
            + "\ncommands: \(commandNames.joined(separator: ", ")) (see 'healthrun --help')"
    }

    private static func exitForParseError(_ error: any Error) -> Never {
        if exitCode(for: error) == .validationFailure {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        exit(withError: error)
    }
}
