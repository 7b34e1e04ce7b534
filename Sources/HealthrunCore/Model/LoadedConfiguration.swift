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
    /// Top-level sections that modules above the core registered (serve's `alerting:`), by key.
    public var sections: [String: ConfigValues]

    /// Creates a configuration (for tests and embedders that build checks in code).
    public init(
        checks: [CheckDefinition], groups: [GroupDefinition] = [], redactor: Redactor = Redactor(),
        files: [String] = [],
        sections: [String: ConfigValues] = [:]
    ) {
        self.checks = checks
        self.groups = groups
        self.redactor = redactor
        self.files = files
        self.sections = sections
    }
}

extension LoadedConfiguration {
    /// The check `name` and, when it heads a failover group, the members after it: what one
    /// tick of `healthrun serve` runs.
    public func failoverChain(headedBy name: String) -> [CheckDefinition] {
        guard let head = checks.first(where: { $0.name == name }) else { return [] }
        guard let group = groups.first(where: { $0.policy == .failover && $0.members.first == name }) else {
            return [head]
        }
        return [head] + group.members.dropFirst().compactMap { member in checks.first { $0.name == member } }
    }

    /// Failover members after the first: they run only when the members before them fail, so
    /// serve gives them no ticks of their own.
    public var chainedMembers: Set<String> {
        Set(groups.filter { $0.policy == .failover }.flatMap { $0.members.dropFirst() })
    }
}
