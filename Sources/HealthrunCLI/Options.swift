import ArgumentParser
import Foundation
import HealthrunCore

/// Options every command that loads checks.d shares.
struct LoadOptions: ParsableArguments {
    @Option(
        name: [.customShort("d"), .long], help: "The checks directory (default ./checks.d or $HEALTHRUN_CHECKS_DIR).")
    var checksDir: String?

    @Option(name: .long, help: "KEY=VALUE file for ${VAR} (default ./.env when present; the environment wins).")
    var envFile: String?

    @Option(name: .long, help: "Executable checker plugins (default ./Plugins or $HEALTHRUN_PLUGINS_DIR).")
    var pluginsDir: String?

    /// What the options say, as plain values.
    var location: ChecksLocation {
        ChecksLocation(checksDir: checksDir, envFile: envFile, pluginsDir: pluginsDir)
    }

    var plugins: String { location.plugins }

    var directory: String { location.directory }
}

/// Where a command finds checks.d, the env file and the plugins.
struct ChecksLocation: Equatable {
    var checksDir: String?
    var envFile: String?
    var pluginsDir: String?

    var plugins: String {
        pluginsDir ?? ProcessEnvironment.values["HEALTHRUN_PLUGINS_DIR"] ?? "Plugins"
    }

    var directory: String {
        checksDir ?? ProcessEnvironment.values["HEALTHRUN_CHECKS_DIR"] ?? "checks.d"
    }
}

/// How commands that run checks (run, serve) run them; validate and list do not offer these.
struct RunLimitOptions: ParsableArguments {
    @Option(name: .long, help: "Timeout of checks that set none, e.g. 3s, 1m30s.")
    var timeout: String = Self.defaults.timeout

    @Option(name: [.customShort("c"), .long], help: "Checks in flight at most.")
    var concurrency: Int = Self.defaults.concurrency

    /// What a run uses when the command line says nothing (QuickRunParser reads these too).
    static let defaults = (timeout: "10s", concurrency: 64)

    func validate() throws {
        try Self.check(timeout: timeout, concurrency: concurrency)
    }

    /// Why `--timeout` or `--concurrency` is wrong, if it is.
    static func check(timeout: String, concurrency: Int) throws(ValidationError) {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        let parsed: Duration
        do {
            parsed = try DurationParser.parse(timeout)
        } catch {
            throw ValidationError("--timeout: \(error.description); \(DurationParser.hint)")
        }
        guard parsed > .zero else { throw ValidationError("--timeout must be longer than 0") }
    }

    var defaultTimeout: Duration { Self.duration(of: timeout) }

    /// A checked `--timeout` as a duration.
    static func duration(of timeout: String) -> Duration {
        (try? DurationParser.parse(timeout)) ?? .seconds(10)
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The process's environment, read once: nothing outside can change it after exec, and each
/// read of `ProcessInfo.environment` builds a new dictionary (four per run of one check).
enum ProcessEnvironment {
    static let values = ProcessInfo.processInfo.environment
}
