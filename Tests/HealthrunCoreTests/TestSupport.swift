import Foundation
import HealthrunTesting
import Logging

@testable import HealthrunCore

enum TemporaryFile {
    static func make(_ name: String, _ text: String) throws -> TemporaryDirectory {
        try TemporaryDirectory(files: [name: text])
    }
}

/// Loads sources with the test checker types; returns the configuration or the diagnostics' text.
func load(
    _ files: [(String, String)],
    environment: [String: String] = [:]
) -> Result<LoadedConfiguration, ConfigurationError> {
    let loader = ConfigLoader(registry: TestCheckers.registry, environment: environment)
    do {
        return .success(try loader.load(sources: files.map { ConfigSource(path: $0.0, text: $0.1) }))
    } catch {
        return .failure(error)
    }
}

/// The diagnostics of a load that must fail, one string each.
func diagnostics(_ files: [(String, String)], environment: [String: String] = [:]) -> [String] {
    switch load(files, environment: environment) {
    case .success: return ["(loaded without errors)"]
    case .failure(let error): return error.diagnostics.map(\.description)
    }
}

/// A log handler that keeps every message, for tests that assert what was logged.
struct LogRecorder: LogHandler {
    private let box = Locked<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    /// Every message so far.
    var messages: [String] { box.value }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.withLock { $0.append("\(event.message)") }
    }
}
