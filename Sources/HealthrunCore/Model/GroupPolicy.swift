/// How a group's members make the group's status.
public enum GroupPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Healthy when every member is: the worst member's status.
    case all
    /// Healthy when one member is: a fallback. Warn when a member after the first carried it.
    case any
    /// Like `any`, but a member runs only when every member before it failed; members not
    /// needed are skipped and never called.
    case failover

    /// Whether members are judged through the group rather than one by one.
    public var judgesMembersThroughGroup: Bool { self != .all }
}
