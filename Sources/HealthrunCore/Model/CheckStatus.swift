/// How a check, a group or a run ended.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Healthy.
    case ok
    /// Healthy but worth a look: slow, rate limited, a certificate expiring soon.
    case warn
    /// Unhealthy, or could not be checked.
    case fail
    /// Not run: a dependency failed, a fallback was not needed, or the run was cancelled.
    case skipped

    /// Order for "the worst of": ok < warn < skipped < fail.
    public var severity: Int {
        switch self {
        case .ok: 0
        case .warn: 1
        case .skipped: 2
        case .fail: 3
        }
    }

    /// Whether a dependent may run after this status (ok or warn).
    public var isPassing: Bool { self == .ok || self == .warn }

    public var description: String { rawValue }
}
