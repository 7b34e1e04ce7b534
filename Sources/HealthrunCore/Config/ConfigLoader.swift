import Yams

/// Loads checks.d: parses every file, decodes each check through its registered checker type,
/// checks names, dependencies and groups across files, and collects every problem before
/// throwing them together as a ``ConfigurationError``.
public struct ConfigLoader: Sendable {
    /// The checker types that `type:` may name.
    public var registry: CheckerRegistry
    /// Variables for `${VAR}`: the env file overlaid by the process environment.
    public var environment: [String: String]
    /// A check's timeout when neither it nor its file's `defaults:` sets one.
    public var defaultTimeout: Duration
    /// Keys of checks.d that modules above the core own (serve's `interval`, `alert` and
    /// `alerting`). A key no extension registers is unknown.
    public var extensions: [ConfigExtension] = []

    /// Creates a loader.
    public init(registry: CheckerRegistry, environment: [String: String], defaultTimeout: Duration = .seconds(10)) {
        self.registry = registry
        self.environment = environment
        self.defaultTimeout = defaultTimeout
    }

    /// Loads every YAML file of a directory.
    public func load(directory: String) throws(ConfigurationError) -> LoadedConfiguration {
        let (sources, diagnostics) = ConfigSource.read(directory: directory)
        if sources.isEmpty, diagnostics.isEmpty {
            throw ConfigurationError([
                Diagnostic(
                    "no check files in '\(directory)'",
                    at: nil,
                    hints: ["add a file such as \(directory)/app.yaml with a 'checks:' list"]
                )
            ])
        }
        return try load(sources: sources, earlierDiagnostics: diagnostics)
    }

    /// Loads the given files, in order.
    public func load(
        sources: [ConfigSource],
        earlierDiagnostics: [Diagnostic] = []
    ) throws(ConfigurationError) -> LoadedConfiguration {
        var state = LoadState(redactor: Redactor())
        state.diagnostics = earlierDiagnostics
        for source in sources {
            loadFile(source, into: &state)
        }
        validateAcrossFiles(&state)
        let sections = state.sections.mapValues(\.values)
        for configExtension in extensions where configExtension.decodes {
            state.diagnostics += configExtension.validate?(state.checks, sections) ?? []
        }
        if state.checks.isEmpty, state.diagnostics.isEmpty {
            state.diagnostics.append(
                Diagnostic(
                    "no checks defined",
                    at: sources.first.map { SourceLocation(file: $0.path) },
                    hints: ["add a 'checks:' list with at least one check"]
                )
            )
        }
        guard state.diagnostics.isEmpty else {
            // A diagnostic may quote a value ("invalid URL 'http://user:key@…'"): mask secrets.
            throw ConfigurationError(state.diagnostics.map { $0.redacted(by: state.redactor) })
        }
        return LoadedConfiguration(
            checks: state.checks,
            groups: state.finalGroups(),
            redactor: state.redactor,
            files: sources.map(\.path),
            sections: state.sections.mapValues(\.values)
        )
    }

    static let coreTopLevelKeys = ["defaults", "groups", "checks"]

    /// Top-level keys: the core's and the extensions' sections.
    var topLevelKeys: [String] {
        Self.coreTopLevelKeys + extensions.flatMap { $0.sections.map(\.name) }
    }

    private func loadFile(_ source: ConfigSource, into state: inout LoadState) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: source.text)
        } catch {
            state.diagnostics.append(YAMLDiagnostics.diagnose(error, in: source))
            return
        }
        guard let root else { return }  // an empty file defines nothing
        guard case .mapping(let mapping) = root else {
            state.diagnostics.append(
                Diagnostic(
                    "expected a mapping with a 'checks:' list at the top of the file",
                    at: SourceLocation(file: source.path, line: root.mark?.line ?? 1, column: root.mark?.column ?? 1),
                    hints: ["start the file with 'checks:' followed by '- name: …' items"]
                )
            )
            return
        }
        let session = DecodingSession(file: source.path, environment: environment, redactor: state.redactor)
        let topLevelKeys = self.topLevelKeys
        for key in mapping.keys {
            let name = key.scalar?.string ?? ""
            // `x-…` keys hold YAML anchors for reuse, as in Compose files.
            if !topLevelKeys.contains(name), !name.hasPrefix("x-") {
                state.diagnostics.append(
                    unknownKey(
                        name, at: session.location(of: key), context: "at the top of the file", known: topLevelKeys
                    )
                )
            }
        }
        var defaults = FileDefaults()
        if let node = mapping.value(forKey: "defaults") {
            defaults = decodeDefaults(node, session: session, into: &state)
        }
        if let node = mapping.value(forKey: "groups") {
            decodeGroups(node, session: session, into: &state)
        }
        var hasSection = false
        for configExtension in extensions {
            for section in configExtension.sections {
                guard let node = mapping.value(forKey: section.name) else { continue }
                hasSection = true
                if configExtension.decodes { decodeSection(section, node: node, file: source.path, into: &state) }
            }
        }
        guard let checksNode = mapping.value(forKey: "checks") else {
            if mapping.value(forKey: "groups") == nil, !hasSection {
                state.diagnostics.append(
                    Diagnostic(
                        "file has no 'checks:' list",
                        at: session.location(of: root),
                        hints: ["add 'checks:' followed by '- name: …' items"]
                    )
                )
            }
            return
        }
        guard case .sequence(let items) = checksNode else {
            state.diagnostics.append(
                Diagnostic(
                    "'checks' must be a list",
                    at: session.location(of: checksNode),
                    hints: ["write each check as an item starting with '- name: …'"]
                )
            )
            return
        }
        state.diagnostics += session.diagnostics
        for item in items {
            decodeCheck(item, defaults: defaults, file: source.path, into: &state)
        }
    }

    func unknownKey(_ key: String, at location: SourceLocation, context: String, known: [String]) -> Diagnostic {
        var hints: [String] = []
        if let nearest = Suggestions.nearest(to: key, in: known) {
            hints.append("did you mean '\(nearest)'?")
        } else {
            hints.append("valid keys here: \(known.sorted().joined(separator: ", "))")
        }
        return Diagnostic("unknown key '\(key)' \(context)", at: location, hints: hints)
    }
}
