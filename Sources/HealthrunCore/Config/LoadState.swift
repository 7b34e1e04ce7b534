/// What a load has gathered so far, across files.
struct LoadState {
    let redactor: Redactor
    var diagnostics: [Diagnostic] = []
    var checks: [CheckDefinition] = []
    var checkLocations: [String: SourceLocation] = [:]
    /// `depends_on` entries with the location of each, to validate once every file is read.
    var dependencyReferences: [(check: String, dependency: String, location: SourceLocation)] = []
    /// Groups from `groups:` lists, in file order.
    var explicitGroups: [GroupDefinition] = []
    var explicitGroupMembers: [String: [(name: String, location: SourceLocation)]] = [:]
    /// Extensions' top-level sections, with where each was found.
    var sections: [String: (values: ConfigValues, location: SourceLocation)] = [:]

    /// The keys every check may have, as a set, made once per load.
    private var commonKeySet: Set<String>?

    mutating func commonKeys(_ keys: @autoclosure () -> [String]) -> Set<String> {
        if let commonKeySet { return commonKeySet }
        let made = Set(keys())
        commonKeySet = made
        return made
    }

    init(redactor: Redactor) {
        self.redactor = redactor
    }

    /// Groups with their members: explicit ones (members listed, or in check order) and
    /// implicit `all` groups named only by checks.
    func finalGroups() -> [GroupDefinition] {
        var result: [GroupDefinition] = []
        var seen: Set<String> = []
        for var group in explicitGroups {
            if group.members.isEmpty {
                group.members = checks.filter { $0.group == group.name }.map(\.name)
            }
            if group.critical == nil {
                group.critical = checks.contains { group.members.contains($0.name) && $0.critical }
            }
            result.append(group)
            seen.insert(group.name)
        }
        for check in checks {
            guard let name = check.group, !seen.contains(name) else { continue }
            let members = checks.filter { $0.group == name }
            result.append(
                GroupDefinition(
                    name: name,
                    policy: .all,
                    critical: members.contains { $0.critical },
                    members: members.map(\.name),
                    source: check.source
                )
            )
            seen.insert(name)
        }
        return result
    }
}

/// A file's `defaults:`.
struct FileDefaults {
    var timeout: Duration?
    var retries: Int?
    var retryDelay: Duration?
    var critical: Bool?
    var tags: [String] = []
    var warnLatency: Duration?
    /// Extensions' per-check keys.
    var settings = ConfigValues()
}
