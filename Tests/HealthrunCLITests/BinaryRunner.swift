import Foundation
import HealthrunCore
import Testing

/// Runs the built `healthrun` binary and captures what a user would see.
struct BinaryRunner {
    struct Output {
        var exitCode: Int32
        var stdout: String
        var stderr: String
        var elapsed: Duration
    }

    /// The executable next to the test bundle (`swift build` puts both in the same folder).
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["HEALTHRUN_BINARY"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" || directory.pathExtension == "xctest" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("healthrun")
    }

    /// Runs `healthrun arguments…` in `directory`, killing it after `limit`. Never blocks a
    /// thread of the cooperative pool (the engine's timers in other suites share it).
    static func run(
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        limit: Duration = .seconds(30),
        signal: (after: Duration, number: Int32)? = nil,
        signals: [(after: Duration, number: Int32)] = [],
        executable: String? = nil
    ) async throws -> Output {
        let process = Process()
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? Self.executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var base = ProcessInfo.processInfo.environment
        base.removeValue(forKey: "HEALTHRUN_CHECKS_DIR")
        process.environment = base.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let outData = Locked(Data())
        let errData = Locked(Data())
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            outData.withLock { $0.append(data) }
        }
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            errData.withLock { $0.append(data) }
        }
        let start = ContinuousClock.now
        let exited: AsyncStream<Void> = AsyncStream { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            // Each `after` counts from the start.
            var slept = Duration.zero
            for signal in (signal.map { [$0] } ?? []) + signals {
                try await Task.sleep(for: signal.after - slept)
                slept = signal.after
                kill(pid, signal.number)
            }
            try await Task.sleep(for: limit)
            kill(pid, SIGKILL)
        }
        for await _ in exited {}
        watchdog.cancel()
        if start.duration(to: .now) >= limit { Issue.record("healthrun \(arguments) ran past \(limit)") }
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
        let outRest = stdout.fileHandleForReading.readDataToEndOfFile()
        let errRest = stderr.fileHandleForReading.readDataToEndOfFile()
        outData.withLock { $0.append(outRest) }
        errData.withLock { $0.append(errRest) }
        return Output(
            exitCode: process.terminationStatus,
            stdout: String(decoding: outData.value, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self),
            elapsed: start.duration(to: .now)
        )
    }
}
