/// What one attempt of a checker found: the checker's whole answer.
public struct CheckOutcome: Sendable, Hashable {
    /// ok, warn or fail (a checker does not return `skipped`).
    public var status: CheckStatus
    /// One line a person can act on: `200 OK in 12 ms`, `connection refused to 127.0.0.1:5432`.
    public var message: String
    /// Structured facts for reports: status code, model ids, server version.
    public var details: [String: DetailValue]
    /// The numbers measured, most telling first (the console shows the first three).
    public var metrics: [Metric]
    /// The latency `warn_latency` judges when it is not the attempt's whole duration: a streamed
    /// completion's time to first token. `nil`: the attempt's duration.
    public var judgedLatency: Duration?

    /// Creates an outcome.
    public init(
        status: CheckStatus, message: String, details: [String: DetailValue] = [:], metrics: [Metric] = []
    ) {
        self.status = status
        self.message = message
        self.details = details
        self.metrics = metrics
    }

    /// A passing outcome.
    public static func ok(
        _ message: String, details: [String: DetailValue] = [:], metrics: [Metric] = []
    ) -> CheckOutcome {
        CheckOutcome(status: .ok, message: message, details: details, metrics: metrics)
    }

    /// A warning outcome.
    public static func warn(
        _ message: String, details: [String: DetailValue] = [:], metrics: [Metric] = []
    ) -> CheckOutcome {
        CheckOutcome(status: .warn, message: message, details: details, metrics: metrics)
    }

    /// A failing outcome.
    public static func fail(
        _ message: String, details: [String: DetailValue] = [:], metrics: [Metric] = []
    ) -> CheckOutcome {
        CheckOutcome(status: .fail, message: message, details: details, metrics: metrics)
    }
}

/// Thrown by a checker to fail its check with a message of its choosing; the engine records
/// it as `fail` with that message (redacted). Any other error is recorded as `fail` too, with
/// its description.
public struct CheckFailure: Error, Sendable, CustomStringConvertible {
    /// The message for the result.
    public var message: String
    /// Details for the result.
    public var details: [String: DetailValue]
    /// Numbers measured before it failed (an HTTP status code, say).
    public var metrics: [Metric]

    /// Creates the failure.
    public init(_ message: String, details: [String: DetailValue] = [:], metrics: [Metric] = []) {
        self.message = message
        self.details = details
        self.metrics = metrics
    }

    public var description: String { message }
}
