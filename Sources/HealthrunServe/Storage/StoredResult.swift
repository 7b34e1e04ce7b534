public import HealthrunCore

/// One result as the store keeps it.
public struct StoredResult: Sendable, Hashable {
    /// The check.
    public var check: String
    /// When the run started (Unix ms).
    public var at: Int64
    /// Its status.
    public var status: CheckStatus
    /// Its duration in ms.
    public var durationMs: Double
    /// Its (redacted) message.
    public var message: String
    /// What it measured (written with it; not read back with results).
    public var metrics: [Metric]

    /// Creates a stored result.
    public init(
        check: String, at: Int64, status: CheckStatus, durationMs: Double, message: String, metrics: [Metric] = []
    ) {
        self.check = check
        self.at = at
        self.status = status
        self.durationMs = durationMs
        self.message = message
        self.metrics = metrics
    }
}

/// A change of a check's status (`ok` → `fail`), as `/api/v1/events` lists them.
public struct StateChange: Sendable, Hashable {
    /// The check.
    public var check: String
    /// When (Unix ms).
    public var at: Int64
    /// The status before; `nil` for the first result ever.
    public var from: CheckStatus?
    /// The status after.
    public var to: CheckStatus
    /// The message of the result that changed it.
    public var message: String

    /// Creates a change.
    public init(check: String, at: Int64, from: CheckStatus?, to: CheckStatus, message: String) {
        self.check = check
        self.at = at
        self.from = from
        self.to = to
        self.message = message
    }
}

/// The size of a rollup bucket.
public enum Resolution: Int64, Sendable, CaseIterable {
    /// One hour.
    case hourly = 3_600_000
    /// One day (UTC).
    case daily = 86_400_000

    /// The start of the bucket holding `at`.
    public func bucket(_ at: Int64) -> Int64 { at - ((at % rawValue) + rawValue) % rawValue }
}

/// What one commit writes: results (and their rollups), state changes and alert states.
public struct WriteBatch: Sendable {
    public var results: [StoredResult] = []
    public var changes: [StateChange] = []
    /// Alert state per check, opaque to the store.
    public var alertStates: [String: [UInt8]] = [:]
    /// Alert notices queued for a channel (opaque to the store), keyed by id and channel.
    public var outboxAdded: [(id: String, channel: String, envelope: [UInt8])] = []
    /// Notices delivered or dropped; applied after `outboxAdded`.
    public var outboxRemoved: [(id: String, channel: String)] = []

    /// An empty batch.
    public init() {}

    /// Whether there is nothing to write.
    public var isEmpty: Bool {
        results.isEmpty && changes.isEmpty && alertStates.isEmpty && outboxAdded.isEmpty && outboxRemoved.isEmpty
    }

    /// `newer` after this one: what a failed write keeps for the next try.
    mutating func append(_ newer: WriteBatch) {
        results += newer.results
        changes += newer.changes
        alertStates.merge(newer.alertStates) { _, new in new }
        outboxAdded += newer.outboxAdded
        outboxRemoved += newer.outboxRemoved
    }
}
