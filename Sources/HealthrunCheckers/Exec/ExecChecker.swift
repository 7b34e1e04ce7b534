import Foundation
public import HealthrunCore

/// `type: exec` — runs any command (an argument vector, no shell) and reads its answer as
/// JSON or as a Nagios plugin's, so existing monitoring plugins work unchanged.
public struct ExecChecker: Checker {
    public static let typeName = "exec"

    /// The fields of an exec check.
    public struct Configuration: Decodable, Sendable {
        public var command: [String]
        public var format: PluginFormat?
        public var env: [String: String]?
        public var exitCodes: ExitCodeConvention?

        enum CodingKeys: String, CodingKey {
            case command, format, env
            case exitCodes = "exit_codes"
        }
    }

    let command: [String]
    let format: PluginFormat
    let environment: [String: String]
    let exitCodes: ExitCodeConvention

    public var target: String? { command[0] }

    /// Validates the configuration.
    public init(configuration: Configuration) throws {
        guard let first = configuration.command.first, !first.isEmpty else {
            throw ConfigValueError(
                "command is empty", field: ["command"],
                hint: "write the program and its arguments: [check_disk, -w, 20%]")
        }
        command = configuration.command
        format = configuration.format ?? .auto
        environment = configuration.env ?? [:]
        exitCodes = configuration.exitCodes ?? .nagios
    }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        try CommandCheck.run(
            command, input: [], extraEnvironment: environment, format: format, exitCodes: exitCodes,
            label: command[0], context: context)
    }
}

/// What a command's exit status means when it prints no JSON result.
public enum ExitCodeConvention: String, Decodable, Sendable, CaseIterable {
    /// The Nagios plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (fail).
    case nagios
    /// 0 ok, anything else fail: for commands like `test -f /ready`.
    case zeroOK = "zero_ok"

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let convention = ExitCodeConvention(rawValue: text) else {
            throw ConfigValueError(
                "unknown exit_codes '\(text)'",
                hint: "use nagios (0 ok, 1 warn, 2 and 3 fail) or zero_ok (0 ok, anything else fail)")
        }
        self = convention
    }
}

/// Running a command for a check: environment, deadline, outcome.
enum CommandCheck {
    static func run(
        _ arguments: [String],
        input: [UInt8],
        extraEnvironment: [String: String],
        format: PluginFormat,
        exitCodes: ExitCodeConvention = .nagios,
        label: String,
        context: CheckContext
    ) throws -> CheckOutcome {
        var environment = ProcessInfo.processInfo.environment.merging(extraEnvironment) { $1 }
        environment["HEALTHRUN_CHECK_NAME"] = context.name
        environment["HEALTHRUN_TIMEOUT_MS"] = String(Int(context.timeout.milliseconds))
        let outcome: ProcessRunner.Outcome
        context.progress.waiting(for: "\(label) did not finish")
        do {
            outcome = try ProcessRunner.run(
                arguments, environment: environment, input: input, deadline: context.ioDeadline)
        } catch let failure as ProcessRunner.SpawnFailure {
            throw CheckFailure(failure.description)
        }
        if outcome.timedOut {
            throw DeadlineReached(waitingFor: "\(label) did not finish and was stopped")
        }
        return PluginOutput.outcome(outcome, format: format, exitCodes: exitCodes, command: label)
    }
}
