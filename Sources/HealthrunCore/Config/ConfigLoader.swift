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
    /// Whether `alert:` and the top-level `alerting:` are decoded (and their `${VAR}`s must be
    /// defined). Only `serve` acts on them: a one-shot run leaves them unread, so it does not
    /// demand a variable that only alerting uses.
    public var resolvesAlerting = true

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
        if resolvesAlerting { validateAlertChannels(&state) }
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
            alerting: state.alerting?.configuration
        )
    }

    static let topLevelKeys = ["defaults", "groups", "checks", "alerting"]

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
        for key in mapping.keys {
            let name = key.scalar?.string ?? ""
            // `x-…` keys hold YAML anchors for reuse, as in Compose files.
            if !Self.topLevelKeys.contains(name), !name.hasPrefix("x-") {
                state.diagnostics.append(
                    unknownKey(
                        name, at: session.location(of: key), context: "at the top of the file", known: Self.topLevelKeys
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
        if let node = mapping.value(forKey: "alerting"), resolvesAlerting {
            decodeAlerting(node, file: source.path, into: &state)
        }
        guard let checksNode = mapping.value(forKey: "checks") else {
            if mapping.value(forKey: "groups") == nil, mapping.value(forKey: "alerting") == nil {
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

/// A loaded, valid checks.d.
public struct LoadedConfiguration: Sendable {
    /// Checks in file order, files in lexical order.
    public var checks: [CheckDefinition]
    /// Groups, explicit ones and those named only by a check's `group:`.
    public var groups: [GroupDefinition]
    /// Every secret met while loading.
    public var redactor: Redactor
    /// The files read.
    public var files: [String]
    /// Where `healthrun serve` sends alerts (the top-level `alerting:` key).
    public var alerting: AlertingConfiguration?

    /// Creates a configuration (for tests and embedders that build checks in code).
    public init(
        checks: [CheckDefinition], groups: [GroupDefinition] = [], redactor: Redactor = Redactor(),
        files: [String] = [],
        alerting: AlertingConfiguration? = nil
    ) {
        self.checks = checks
        self.groups = groups
        self.redactor = redactor
        self.files = files
        self.alerting = alerting
    }
}
