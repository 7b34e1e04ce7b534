import Yams

extension ConfigLoader {
    /// The keys the core reads on every check, whatever its type.
    static let coreCheckKeys = [
        "name", "type", "timeout", "retries", "retry_delay", "critical", "tags", "group", "depends_on", "warn_latency",
        "thresholds",
    ]
    static let coreDefaultsKeys = ["timeout", "retries", "retry_delay", "critical", "tags", "warn_latency"]

    /// The keys every check may have, whatever its type: the core's and the extensions'. A
    /// plugin gets every other key (see `Decoder.reservedCheckKeys`).
    var commonKeys: [String] { Self.coreCheckKeys + extensions.flatMap { $0.checkKeys.map(\.name) } }

    /// Reads the extensions' per-check keys of one mapping; keys of extensions that do not
    /// decode are marked read. Values are located at themselves when `located`.
    private func readExtensionKeys(_ reader: inout FieldReader, located: Bool) -> ConfigValues {
        var values = ConfigValues()
        for configExtension in extensions {
            for field in configExtension.checkKeys {
                guard configExtension.decodes else {
                    reader.skip(field.name)
                    continue
                }
                if let value = field.read(&reader) {
                    values.set(name: field.name, value, at: located ? reader.location(of: field.name) : nil)
                }
            }
        }
        return values
    }

    /// Decodes an extension's top-level section; only one file may have it.
    func decodeSection(_ section: ConfigExtension.Section, node: Node, file: String, into state: inout LoadState) {
        let session = DecodingSession(file: file, environment: environment, redactor: state.redactor)
        defer { state.diagnostics += session.diagnostics }
        let fieldNames = section.fields.map(\.name)
        guard case .mapping(let mapping) = node else {
            state.diagnostics.append(
                Diagnostic(
                    "'\(section.name)' must be a mapping", at: session.location(of: node),
                    hints: [
                        "write '\(section.name):' followed by "
                            + fieldNames.map { "'\($0):'" }.joined(separator: " and/or ")
                    ])
            )
            return
        }
        let location = session.location(of: node)
        var reader = FieldReader(session: session, mapping: mapping)
        var values = ConfigValues()
        for field in section.fields {
            if let value = field.read(&reader) {
                values.set(name: field.name, value, at: reader.location(of: field.name))
            }
        }
        state.diagnostics += reader.diagnostics
        for key in reader.untouchedKeys() {
            state.diagnostics.append(
                unknownKey(key.name, at: key.location, context: "in '\(section.name)'", known: fieldNames))
        }
        reportUnknownNestedKeys(below: mapping, session: session, context: "in '\(section.name)'", into: &state)
        if let first = state.sections[section.name] {
            state.diagnostics.append(
                Diagnostic(
                    "'\(section.name)' is defined in more than one file", at: location,
                    notes: [.init("first defined here", at: first.location)])
            )
            return
        }
        state.sections[section.name] = (values, location)
    }
    static let groupKeys = ["name", "policy", "critical", "members"]

    /// Letters, digits, `.`, `_` and `-`, but not all dots: `.` and `..` are path segments a
    /// browser resolves (`/checks/..` is `/`), so serve's page of such a check could not be reached.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.allSatisfy { $0 == "." }
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || $0.properties.numericType != nil
                        || "._-".unicodeScalars.contains($0))
            }
    }

    static let nameHint =
        "names use letters, digits, '.', '_' and '-' (not only dots), like 'claude-code-health'"

    func decodeDefaults(_ node: Node, session: DecodingSession, into state: inout LoadState) -> FileDefaults {
        guard case .mapping(let mapping) = node else {
            state.diagnostics.append(Diagnostic("'defaults' must be a mapping", at: session.location(of: node)))
            return FileDefaults()
        }
        var reader = FieldReader(session: session, mapping: mapping)
        var defaults = FileDefaults()
        defaults.timeout = reader.read("timeout", as: ConfigDuration.self)?.duration
        defaults.retries = reader.read("retries", as: Int.self)
        defaults.retryDelay = reader.read("retry_delay", as: ConfigDuration.self)?.duration
        defaults.critical = reader.read("critical", as: Bool.self)
        defaults.tags = reader.read("tags", as: [String].self) ?? []
        defaults.warnLatency = reader.read("warn_latency", as: ConfigDuration.self)?.duration
        defaults.settings = readExtensionKeys(&reader, located: false)
        state.diagnostics += reader.diagnostics
        reportUnknownNestedKeys(below: mapping, session: session, context: "in 'defaults'", into: &state)
        for key in reader.untouchedKeys() {
            state.diagnostics.append(
                unknownKey(
                    key.name, at: key.location, context: "in 'defaults'",
                    known: Self.coreDefaultsKeys + extensions.flatMap { $0.checkKeys.map(\.name) }))
        }
        validate(timeout: defaults.timeout, retries: defaults.retries, reader: reader, into: &state)
        return defaults
    }

    func decodeGroups(_ node: Node, session: DecodingSession, into state: inout LoadState) {
        guard case .sequence(let items) = node else {
            state.diagnostics.append(
                Diagnostic(
                    "'groups' must be a list", at: session.location(of: node),
                    hints: ["write each group as '- name: …'"])
            )
            return
        }
        for item in items {
            guard case .mapping(let mapping) = item else {
                state.diagnostics.append(
                    Diagnostic("each group must be a mapping with a 'name'", at: session.location(of: item)))
                continue
            }
            var reader = FieldReader(session: session, mapping: mapping)
            let name = reader.read("name", as: String.self)
            let policyText = reader.read("policy", as: String.self)
            let critical = reader.read("critical", as: Bool.self)
            let members = reader.read("members", as: [String].self) ?? []
            state.diagnostics += reader.diagnostics
            for key in reader.untouchedKeys() {
                state.diagnostics.append(
                    unknownKey(key.name, at: key.location, context: "in group", known: Self.groupKeys))
            }
            var policy = GroupPolicy.all
            if let policyText {
                if let parsed = GroupPolicy(rawValue: policyText) {
                    policy = parsed
                } else {
                    let names = GroupPolicy.allCases.map(\.rawValue)
                    let hint = Suggestions.nearest(to: policyText, in: names).map { "did you mean '\($0)'?" }
                    state.diagnostics.append(
                        Diagnostic(
                            "unknown group policy '\(policyText)'",
                            at: reader.location(of: "policy"),
                            hints: [hint ?? "use one of: \(names.joined(separator: ", "))"]
                        )
                    )
                }
            }
            guard let name else {
                if mapping.value(forKey: "name") == nil {
                    state.diagnostics.append(
                        Diagnostic("group has no 'name'", at: session.location(of: item), hints: ["add 'name: llm'"])
                    )
                }
                continue
            }
            let location = reader.location(of: "name")
            guard Self.isValidName(name) else {
                state.diagnostics.append(
                    Diagnostic("invalid group name '\(name)'", at: location, hints: [Self.nameHint]))
                continue
            }
            if let first = state.explicitGroups.first(where: { $0.name == name }) {
                state.diagnostics.append(
                    Diagnostic(
                        "duplicate group name '\(name)'",
                        at: location,
                        notes: [.init("first defined here", at: first.source)]
                    )
                )
                continue
            }
            state.explicitGroups.append(
                GroupDefinition(name: name, policy: policy, critical: critical, members: members, source: location)
            )
            state.explicitGroupMembers[name] = members.indices.map {
                (members[$0], reader.location(of: "members", item: $0))
            }
        }
    }

    func decodeCheck(_ item: Node, defaults: FileDefaults, file: String, into state: inout LoadState) {
        let session = DecodingSession(file: file, environment: environment, redactor: state.redactor)
        session.reservedCheckKeys = state.commonKeys(self.commonKeys)
        defer { state.diagnostics += session.diagnostics }
        guard case .mapping(let mapping) = item else {
            state.diagnostics.append(
                Diagnostic(
                    "each check must be a mapping",
                    at: session.location(of: item),
                    hints: ["start each check with '- name: …' and put its fields under it"]
                )
            )
            return
        }
        let checkLocation = session.location(of: item)
        var reader = FieldReader(session: session, mapping: mapping)
        let name = reader.read("name", as: String.self)
        let type = reader.read("type", as: String.self)
        let timeout = reader.read("timeout", as: ConfigDuration.self)?.duration
        let retries = reader.read("retries", as: Int.self)
        let retryDelay = reader.read("retry_delay", as: ConfigDuration.self)?.duration
        let critical = reader.read("critical", as: Bool.self)
        let tags = reader.read("tags", as: [String].self) ?? []
        let group = reader.read("group", as: String.self)
        let dependsOn = reader.read("depends_on", as: [String].self) ?? []
        let warnLatency = reader.read("warn_latency", as: ConfigDuration.self)?.duration
        let thresholds = reader.readEach("thresholds", as: Threshold.self) ?? []
        let ownSettings = readExtensionKeys(&reader, located: true)
        var diagnostics = reader.diagnostics
        defer { state.diagnostics += diagnostics }
        validate(timeout: timeout, retries: retries, reader: reader, into: &state)

        let label = name.map { "check '\($0)'" } ?? "check"
        var nameIsValid = false
        if let name {
            let location = reader.location(of: "name")
            if !Self.isValidName(name) {
                diagnostics.append(Diagnostic("invalid check name '\(name)'", at: location, hints: [Self.nameHint]))
            } else if let first = state.checkLocations[name] {
                diagnostics.append(
                    Diagnostic(
                        "duplicate check name '\(name)'", at: location, notes: [.init("first defined here", at: first)])
                )
            } else {
                state.checkLocations[name] = location
                nameIsValid = true
            }
        } else if mapping.value(forKey: "name") == nil {
            diagnostics.append(
                Diagnostic(
                    "check has no 'name'", at: checkLocation, hints: ["add 'name: my-service' (\(Self.nameHint))"])
            )
        }
        if let group, !Self.isValidName(group) {
            diagnostics.append(
                Diagnostic("invalid group name '\(group)'", at: reader.location(of: "group"), hints: [Self.nameHint]))
        }

        var factory: CheckerRegistry.Factory?
        if let type {
            factory = registry.factory(for: type)
            if factory == nil {
                var hints: [String] = []
                // Only here: listing the plugins reads a directory.
                if let nearest = Suggestions.nearest(to: type, in: registry.allTypeNames) {
                    hints.append("did you mean '\(nearest)'?")
                }
                diagnostics.append(
                    Diagnostic(
                        "unknown check type '\(type)' in \(label)",
                        at: reader.location(of: "type"),
                        hints: hints,
                        notes: [
                            .init(
                                "known types: \(registry.typeNames.joined(separator: ", ")) (or an executable plugin of that name)"
                            )
                        ] + (registry.fallbackSearched.map { [.init("no plugin '\(type)': \($0)")] } ?? [])
                    )
                )
            }
        } else if mapping.value(forKey: "type") == nil {
            diagnostics.append(
                Diagnostic(
                    "\(label) has no 'type'",
                    at: checkLocation,
                    hints: ["add 'type: …', one of: \(registry.typeNames.joined(separator: ", "))"]
                )
            )
        }

        var checker: (any Checker)?
        var missingKey: String?
        if let factory {
            // Every bad optional field is collected, not only the first.
            session.collectsOptionalFailures = true
            var thrown: Diagnostic?
            do {
                let decoder = try NodeDecoder(node: item, session: session)
                do {
                    checker = try factory.make(decoder)
                } catch let error as ConfigValueError {
                    thrown = Diagnostic(
                        error.message, at: decoder.locate(error.field), hints: error.hint.map { [$0] } ?? [])
                }
            } catch let failure as NodeDecodingFailure {
                thrown = failure.diagnostic
                if failure.location == checkLocation { missingKey = failure.missingKey }
            } catch {
                thrown = Diagnostic("invalid \(label): \(error)", at: checkLocation)
            }
            session.collectsOptionalFailures = false
            let collected = session.optionalFailures.map(\.diagnostic)
            session.optionalFailures = []
            if !collected.isEmpty { checker = nil }
            diagnostics += collected
            // What the checker said after a field failed may only follow from that field being
            // absent: keep it when it points at a value of its own.
            if let thrown,
                collected.isEmpty
                    || (thrown.location != checkLocation && !collected.contains { $0.location == thrown.location })
            {
                diagnostics.append(thrown)
            }
        }

        // Unknown keys: every key nothing asked for. When the checker's fields did not decode,
        // only report keys that are near a common key or near the required key found missing
        // (the others may simply not have been reached).
        var explainedMissingKey = false
        // The one key of the check nearest to the missing key, when it is close enough to be
        // its misspelling (`hots:` for `host:`, not also the valid `port:` beside it).
        let rootOpened = session.opened(mapping)
        let misspelling = missingKey.flatMap { missing in
            mapping.keys.compactMap { $0.scalar?.string }
                .filter { !(rootOpened?.wasTouched($0) ?? false) && !commonKeys.contains($0) }
                .filter { Suggestions.nearest(to: $0, in: [missing]) != nil }
                .min { Suggestions.editDistance($0, missing) < Suggestions.editDistance($1, missing) }
        }
        for (_, entry) in session.openedMappings {
            let isRoot = entry.mapping.mark.sameMark(as: mapping.mark)
            for keyNode in entry.mapping.keys {
                let key = keyNode.scalar?.string ?? ""
                guard !entry.wasTouched(key) else { continue }
                let commonSuggestion = isRoot ? Suggestions.nearest(to: key, in: commonKeys) : nil
                let missingSuggestion = isRoot && key == misspelling ? missingKey : nil
                if checker == nil, commonSuggestion == nil, missingSuggestion == nil { continue }
                let knownKeys: [String]
                if let missingSuggestion {
                    // `ulr:` for `url:`: the unknown key is the mistake, the missing key its echo.
                    knownKeys = [missingSuggestion]
                    explainedMissingKey = true
                } else {
                    knownKeys = checker == nil ? commonKeys : entry.knownKeys
                }
                diagnostics.append(
                    unknownKey(key, at: session.location(of: keyNode), context: "in \(label)", known: knownKeys))
            }
        }
        if explainedMissingKey, let missingKey {
            diagnostics.removeAll {
                $0.message == "missing required key '\(missingKey)'" && $0.location == checkLocation
            }
        }

        // A value with an undefined variable is already reported; what follows from it being
        // empty ("invalid URL '/health'") is noise.
        let undefinedLines = Set(session.diagnostics.compactMap { $0.location?.line })
        diagnostics.removeAll { diagnostic in
            guard let line = diagnostic.location?.line else { return false }
            return undefinedLines.contains(line)
        }

        if let known = checker?.metricNames {
            for (index, threshold) in thresholds.enumerated() where !known.contains(threshold.metric) {
                let hint = Suggestions.nearest(to: threshold.metric, in: known).map { "did you mean '\($0)'?" }
                diagnostics.append(
                    Diagnostic(
                        "\(label) never reports metric '\(threshold.metric)'",
                        at: thresholdMetricLocation(in: mapping, item: index, session: session),
                        hints: [hint ?? "its metrics: \(known.joined(separator: ", "))"]))
            }
        }

        guard let name, nameIsValid, let type, let checker else { return }
        var allTags = defaults.tags
        for tag in tags where !allTags.contains(tag) { allTags.append(tag) }
        for (index, dependency) in dependsOn.enumerated() {
            state.dependencyReferences.append((name, dependency, reader.location(of: "depends_on", item: index)))
        }
        // A check's own value wins over its file's default, which is located at the check.
        var settings = ownSettings
        for configExtension in extensions where configExtension.decodes {
            for field in configExtension.checkKeys where settings.entry(field.name) == nil {
                if let inherited = defaults.settings.entry(field.name) {
                    settings.set(name: field.name, inherited.value, at: checkLocation)
                }
            }
        }
        state.checks.append(
            CheckDefinition(
                name: name,
                type: type,
                timeout: timeout ?? defaults.timeout ?? defaultTimeout,
                retries: retries ?? defaults.retries ?? 0,
                retryDelay: retryDelay ?? defaults.retryDelay ?? .zero,
                critical: critical ?? defaults.critical ?? true,
                tags: allTags,
                group: group,
                dependsOn: dependsOn,
                warnLatency: warnLatency ?? defaults.warnLatency,
                thresholds: thresholds,
                settings: settings,
                source: checkLocation,
                checker: checker
            )
        )
    }

    /// Where `metric:` of item `index` of a check's `thresholds:` is written.
    private func thresholdMetricLocation(in mapping: Node.Mapping, item index: Int, session: DecodingSession)
        -> SourceLocation
    {
        guard case .sequence(let items)? = mapping.value(forKey: "thresholds"), items.indices.contains(index) else {
            return session.location(of: mapping.mark)
        }
        guard case .mapping(let threshold) = items[index], let metric = threshold.value(forKey: "metric") else {
            return session.location(of: items[index])
        }
        return session.location(of: metric)
    }

    /// Reports keys nothing asked for in mappings opened below `root` (`alert:` under `defaults:`).
    func reportUnknownNestedKeys(
        below root: Node.Mapping, session: DecodingSession, context: String, into state: inout LoadState
    ) {
        for (_, entry) in session.openedMappings where !entry.mapping.mark.sameMark(as: root.mark) {
            guard let rootMark = root.mark, let mark = entry.mapping.mark,
                (mark.line, mark.column) > (rootMark.line, rootMark.column)
            else { continue }
            for keyNode in entry.mapping.keys {
                let key = keyNode.scalar?.string ?? ""
                guard !entry.wasTouched(key) else { continue }
                state.diagnostics.append(
                    unknownKey(key, at: session.location(of: keyNode), context: context, known: entry.knownKeys))
            }
        }
    }

    private func validate(timeout: Duration?, retries: Int?, reader: FieldReader, into state: inout LoadState) {
        if let timeout, timeout <= .zero {
            state.diagnostics.append(
                Diagnostic(
                    "timeout must be longer than 0", at: reader.location(of: "timeout"),
                    hints: ["for example 'timeout: 3s'"])
            )
        }
        if let retries, !(0...100).contains(retries) {
            state.diagnostics.append(
                Diagnostic("retries must be between 0 and 100, got \(retries)", at: reader.location(of: "retries"))
            )
        }
    }
}
