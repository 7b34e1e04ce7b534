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

    /// The one table of what each status is:
    /// - `severity`, the order of "the worst of" (a group's status, a run's verdict, sorting):
    ///   ok < warn < skipped < fail. A skip ranks above warn, as something went unverified,
    ///   and below fail, as nothing was seen failing.
    /// - `code`, its number wherever a number stands for it: serve's history and
    ///   `healthrun_check_status` in Prometheus. 0 ok, 1 warn, 2 fail, 3 skipped: the order
    ///   the statuses were introduced in, kept so stored history and dashboards stay valid.
    /// - `symbol`, shown beside the word (never instead of it) on pages and reports.
    private var row: (severity: Int, code: Int, symbol: String) {
        switch self {
        case .ok: (0, 0, "✔")
        case .warn: (1, 1, "▲")
        case .skipped: (2, 3, "○")
        case .fail: (3, 2, "✖")
        }
    }

    /// Order for "the worst of": ok < warn < skipped < fail.
    public var severity: Int { row.severity }

    /// The stable number of serve's history and Prometheus: 0 ok, 1 warn, 2 fail, 3 skipped.
    public var code: Int { row.code }

    /// The status of a stable number; `nil` for a number no status has.
    public init?(code: Int) {
        guard let status = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = status
    }

    /// `✔`, `▲`, `✖` or `○`.
    public var symbol: String { row.symbol }

    /// Whether a dependent may run after this status (ok or warn).
    public var isPassing: Bool { self == .ok || self == .warn }

    public var description: String { rawValue }
}
