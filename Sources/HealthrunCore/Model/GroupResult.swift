/// A group's result in a run.
public struct GroupResult: Sendable, Hashable {
    /// The group's name.
    public var name: String
    /// Its policy.
    public var policy: GroupPolicy
    /// Its status under that policy.
    public var status: CheckStatus
    /// Member check names, in order.
    public var members: [String]
    /// The member whose status made the group healthy, for `any` and `failover`.
    public var carriedBy: String?
    /// Whether a failing group fails the run.
    public var critical: Bool
    /// One line: `ok: carried by gigachat-models (fallback)`.
    public var message: String

    /// Creates a group result.
    public init(
        name: String,
        policy: GroupPolicy,
        status: CheckStatus,
        members: [String],
        carriedBy: String?,
        critical: Bool,
        message: String
    ) {
        self.name = name
        self.policy = policy
        self.status = status
        self.members = members
        self.carriedBy = carriedBy
        self.critical = critical
        self.message = message
    }
}
