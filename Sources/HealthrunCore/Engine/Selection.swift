/// Which checks a run includes: `--only` names and `--tag` tags, plus everything they depend on.
public struct Selection: Sendable {
    /// Names given with `--only`.
    public var names: [String]
    /// Tags given with `--tag`.
    public var tags: [String]

    /// Creates a selection; empty means every check.
    public init(names: [String] = [], tags: [String] = []) {
        self.names = names
        self.tags = tags
    }

    /// Whether everything is selected.
    public var isEverything: Bool { names.isEmpty && tags.isEmpty }

    /// Names of `names` that are not checks.
    public func unknownNames(in checks: [CheckDefinition]) -> [String] {
        let known = Set(checks.map(\.name))
        return names.filter { !known.contains($0) }
    }

    /// The selected checks, in definition order, with their dependencies (transitively) and,
    /// for a failover group, the members before a selected one.
    public func apply(to configuration: LoadedConfiguration) -> [CheckDefinition] {
        let checks = configuration.checks
        guard !isEverything else { return checks }
        let byName = Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0) })
        var chosen = Set(checks.filter { names.contains($0.name) || !Set($0.tags).isDisjoint(with: tags) }.map(\.name))
        var queue = Array(chosen)
        while let name = queue.popLast() {
            var needed = byName[name]?.dependsOn ?? []
            if let groupName = byName[name]?.group,
                let group = configuration.groups.first(where: { $0.name == groupName }), group.policy == .failover,
                let position = group.members.firstIndex(of: name)
            {
                needed += group.members[..<position]
            }
            for dependency in needed where chosen.insert(dependency).inserted {
                queue.append(dependency)
            }
        }
        return checks.filter { chosen.contains($0.name) }
    }
}
