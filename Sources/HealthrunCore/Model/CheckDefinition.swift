/// One check as loaded from checks.d: its common fields and its configured checker.
public struct CheckDefinition: Sendable {
    /// Unique name, `[A-Za-z0-9._-]+`.
    public var name: String
    /// The checker type's name.
    public var type: String
    /// Deadline of each attempt.
    public var timeout: Duration
    /// Extra attempts after a failure.
    public var retries: Int
    /// Pause between attempts.
    public var retryDelay: Duration
    /// Whether a failure fails the run.
    public var critical: Bool
    /// Tags for `--tag`.
    public var tags: [String]
    /// The group, if any.
    public var group: String?
    /// Checks that must pass (ok or warn) before this one runs.
    public var dependsOn: [String]
    /// Slower than this turns ok into warn.
    public var warnLatency: Duration?
    /// Bounds on the check's metrics, judged after its own verdict.
    public var thresholds: [Threshold]
    /// Values of the keys that modules above the core registered (serve's `interval` and
    /// `alert`), with its file's `defaults:` applied.
    public var settings: ConfigValues
    /// Where it is defined.
    public var source: SourceLocation
    /// The configured checker.
    public var checker: any Checker

    /// Creates a definition.
    public init(
        name: String,
        type: String,
        timeout: Duration = .seconds(10),
        retries: Int = 0,
        retryDelay: Duration = .zero,
        critical: Bool = true,
        tags: [String] = [],
        group: String? = nil,
        dependsOn: [String] = [],
        warnLatency: Duration? = nil,
        thresholds: [Threshold] = [],
        settings: ConfigValues = ConfigValues(),
        source: SourceLocation,
        checker: any Checker
    ) {
        self.name = name
        self.type = type
        self.timeout = timeout
        self.retries = retries
        self.retryDelay = retryDelay
        self.critical = critical
        self.tags = tags
        self.group = group
        self.dependsOn = dependsOn
        self.warnLatency = warnLatency
        self.thresholds = thresholds
        self.settings = settings
        self.source = source
        self.checker = checker
    }
}

extension CheckDefinition {
    /// The value of a registered key, if the check or its file's `defaults:` gave it.
    public subscript<Value>(key: ConfigKey<Value>) -> Value? {
        get { settings[key] }
        set { settings[key] = newValue }
    }
}

/// A group as loaded from checks.d.
public struct GroupDefinition: Sendable, Hashable {
    /// The group's name.
    public var name: String
    /// How members make its status.
    public var policy: GroupPolicy
    /// Whether a failing group fails the run; defaults to whether any member is critical.
    public var critical: Bool?
    /// Members in order.
    public var members: [String]
    /// Where it is defined (the first check naming it, for implicit groups).
    public var source: SourceLocation

    /// Creates a group.
    public init(name: String, policy: GroupPolicy, critical: Bool? = nil, members: [String], source: SourceLocation) {
        self.name = name
        self.policy = policy
        self.critical = critical
        self.members = members
        self.source = source
    }
}
