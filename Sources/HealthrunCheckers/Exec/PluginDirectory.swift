import Foundation
public import HealthrunCore

/// Executable checker plugins: a `type:` that no built-in claims runs the executable of that
/// name (or `NAME.*`, run through its `#!` line) in this directory. The plugin gets the check's
/// own fields as one JSON object on stdin, `HEALTHRUN_CHECK_NAME` and `HEALTHRUN_TIMEOUT_MS` in
/// its environment, and answers in JSON or as a Nagios plugin.
public struct PluginDirectory: Sendable {
    /// A plugin file.
    public struct Plugin: Sendable, Hashable {
        public var name: String
        public var path: String
        public var isExecutable: Bool
    }

    /// The directory.
    public let path: String

    /// Creates a view of `path` (it need not exist).
    public init(path: String) {
        self.path = path
    }

    /// Every plugin in the directory, by name.
    public func plugins() -> [Plugin] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        var found: [String: Plugin] = [:]
        for file in names.sorted() where !file.hasPrefix(".") && !file.hasSuffix(".md") {
            let full = (path as NSString).appendingPathComponent(file)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            let name = String(file.prefix { $0 != "." })
            guard !name.isEmpty, found[name] == nil || !file.contains(".") else { continue }
            found[name] = Plugin(name: name, path: full, isExecutable: access(full, X_OK) == 0)
        }
        return found.values.sorted { $0.name < $1.name }
    }

    /// The factory for plugin `name`, or `nil` when there is none.
    public func factory(for name: String) -> CheckerRegistry.Factory? {
        guard let plugin = plugins().first(where: { $0.name == name }) else { return nil }
        return CheckerRegistry.Factory(typeName: name, summary: "plugin \(plugin.path)") { decoder in
            try PluginChecker(plugin: plugin, decoder: decoder)
        }
    }
}

/// A configured check of an executable plugin.
struct PluginChecker: Checker {
    static let typeName = "plugin"
    typealias Configuration = [String: DetailValue]

    let plugin: PluginDirectory.Plugin
    let input: [UInt8]
    let format: PluginFormat

    var target: String? { "plugin \(plugin.path)" }

    init(plugin: PluginDirectory.Plugin, decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var fields: [String: DetailValue] = [:]
        var format = PluginFormat.auto
        // Keys healthrun itself reads (the loader's one list, serve's keys included) are not
        // passed to the plugin.
        let reserved = decoder.reservedCheckKeys
        for key in container.allKeys {
            if key.stringValue == "format" {
                format = try container.decode(PluginFormat.self, forKey: key)
            } else if !reserved.contains(key.stringValue) {
                let value = try container.decode(DetailValue.self, forKey: key)
                fields[key.stringValue] = value
                if HeaderFields.isSensitive(key.stringValue) { Self.registerSecrets(in: value, with: decoder.redactor) }
            }
        }
        self.plugin = plugin
        self.format = format
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        input = Array(try encoder.encode(fields)) + [UInt8(ascii: "\n")]
    }

    static func registerSecrets(in value: DetailValue, with redactor: Redactor?) {
        switch value {
        case .string(let text): redactor?.register(text)
        case .array(let values): values.forEach { registerSecrets(in: $0, with: redactor) }
        case .object(let object): object.values.forEach { registerSecrets(in: $0, with: redactor) }
        default: break
        }
    }

    func check(_ context: CheckContext) async throws -> CheckOutcome {
        guard plugin.isExecutable else {
            throw CheckFailure("plugin \(plugin.path) is not executable (chmod +x \(plugin.path))")
        }
        return try CommandCheck.run(
            [plugin.path], input: input, extraEnvironment: [:], format: format, label: "plugin \(plugin.name)",
            context: context)
    }
}
