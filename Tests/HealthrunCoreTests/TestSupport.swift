import Foundation
import HealthrunTesting

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
