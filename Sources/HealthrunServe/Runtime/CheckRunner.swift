import HealthrunCore

/// Runs one tick of a check through the engine, which decides by the one-shot run's rules
/// what runs and what is skipped, and records every result: live state, alerts, the history
/// batch.
final class CheckRunner: Sendable {
    private let engine: Engine
    private let state: LiveState
    private let writer: HistoryWriter
    private let alerts: AlertCenter

    init(engine: Engine, state: LiveState, writer: HistoryWriter, alerts: AlertCenter) {
        self.engine = engine
        self.state = state
        self.writer = writer
        self.alerts = alerts
    }

    /// Runs the check `name` (and, when it heads a failover group, the members after it while
    /// they are needed), judging dependencies on the latest results; returns what it recorded.
    @discardableResult
    func tick(_ name: String) async -> [CheckResult] {
        let configuration = state.configuration
        let results = await engine.run(scheduled: name, in: configuration, latest: { self.state.latest($0)?.status })
        for result in results {
            guard let check = configuration.checks.first(where: { $0.name == result.name }) else { continue }
            record(result, check: check)
        }
        return results
    }

    /// Records a result: memory, state changes, alerts and the pending batch.
    func record(_ result: CheckResult, check: CheckDefinition) {
        let at = result.startedAt.unixMilliseconds
        let change = state.record(result, at: at)
        let alertState = alerts.observe(result, check: check, at: at)
        writer.add(
            StoredResult(
                check: result.name, at: at, status: result.status, durationMs: result.duration.milliseconds,
                message: result.message, metrics: result.metrics),
            change: change, alertState: alertState.map { (check.name, $0) })
    }
}
