import HealthrunCore

/// Runs one tick of a check through the engine, which decides by the one-shot run's rules
/// what runs and what is skipped, and records every result: live state, alerts, the history
/// batch.
final class CheckRunner: Sendable {
    private let engine: Engine
    private let state: LiveState
    private let writer: HistoryWriter
    private let alerts: AlertCenter
    private let store: ResultStore

    init(engine: Engine, state: LiveState, writer: HistoryWriter, alerts: AlertCenter, store: ResultStore) {
        self.engine = engine
        self.state = state
        self.writer = writer
        self.alerts = alerts
        self.store = store
    }

    /// Runs the check `name` (and, when it heads a failover group, the members after it while
    /// they are needed), judging dependencies on the latest results; returns what it recorded.
    @discardableResult
    func tick(_ name: String) async -> [CheckResult] {
        let configuration = state.configuration
        var results = await engine.run(scheduled: name, in: configuration, latest: { self.state.latest($0)?.status })
        for index in results.indices where results[index].metrics.contains(where: { $0.name == "balance" }) {
            await projectBalances(&results[index])
        }
        for result in results {
            guard let check = configuration.checks.first(where: { $0.name == result.name }) else { continue }
            record(result, check: check)
        }
        return results
    }

    /// Adds `balance_days_left{…}` beside each `balance{…}`: the balance over the average daily
    /// spend since the oldest day of the last 7 in the history, once that is at least two days
    /// back and the balance went down (none otherwise, as in one-shot runs).
    func projectBalances(_ result: inout CheckResult) async {
        let now = result.startedAt.unixMilliseconds
        let day: Int64 = 86_400_000
        for balance in result.metrics where balance.name == "balance" {
            guard
                let history = try? await store.dailyLastValues(
                    check: result.name, metric: "balance", labels: balance.labels, since: now - 7 * day),
                let oldest = history.first, now - oldest.at >= 2 * day
            else { continue }
            let spentPerDay = (oldest.value - balance.value) / (Double(now - oldest.at) / Double(day))
            guard spentPerDay > 0 else { continue }
            result.metrics.append(
                Metric("balance_days_left", (balance.value / spentPerDay * 10).rounded() / 10, labels: balance.labels))
        }
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
