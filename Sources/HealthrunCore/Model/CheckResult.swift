public import Foundation

/// One check's result in a run: its outcome plus what the report needs about the check.
public struct CheckResult: Sendable, Hashable {
    /// The check's name.
    public var name: String
    /// The checker type.
    public var type: String
    /// How it ended.
    public var status: CheckStatus
    /// Whether it fails the run (see ``RunReport/failures``).
    public var critical: Bool
    /// Time of the final attempt.
    public var duration: Duration
    /// Attempts made (0 when skipped).
    public var attempts: Int
    /// What happened, redacted.
    public var message: String
    /// The group, if any.
    public var group: String?
    /// Tags.
    public var tags: [String]
    /// Where the check is defined.
    public var source: SourceLocation
    /// Structured facts, redacted.
    public var details: [String: DetailValue]
    /// The numbers measured (label values redacted), thresholds judged on them.
    public var metrics: [Metric]
    /// When the first attempt started (or when it was skipped).
    public var startedAt: Date

    /// Creates a result.
    public init(
        name: String,
        type: String,
        status: CheckStatus,
        critical: Bool,
        duration: Duration,
        attempts: Int,
        message: String,
        group: String?,
        tags: [String],
        source: SourceLocation,
        details: [String: DetailValue] = [:],
        metrics: [Metric] = [],
        startedAt: Date = Date()
    ) {
        self.name = name
        self.type = type
        self.status = status
        self.critical = critical
        self.duration = duration
        self.attempts = attempts
        self.message = message
        self.group = group
        self.tags = tags
        self.source = source
        self.details = details
        self.metrics = metrics
        self.startedAt = startedAt
    }
}
