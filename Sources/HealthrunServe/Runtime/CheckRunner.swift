import HealthrunCore
import HealthrunReporters
import Logging

/// Runs one tick of a check through the engine, which decides by the one-shot run's rules
/// what runs and what is skipped, and records every result: live state, alerts, the history
/// batch.
final class CheckRunner: Sendable {
    private let engine: Engine
    private let state: LiveState
    private let writer: HistoryWriter
    private let alerts: AlertCenter
    private let store: ResultStore
    private let logger: Logger

    init(
        engine: Engine, state: LiveState, writer: HistoryWriter, alerts: AlertCenter, store: ResultStore,
        logger: Logger
    ) {
        self.logger = logger
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
        let ran = results.compactMap { result in
            configuration.checks.first(where: { $0.name == result.name }).map { (result, $0) }
        }
        // Memory first, so the failover groups are judged on this tick's results.
        let changes = ran.map { result, _ in state.record(result, at: result.startedAt.unixMilliseconds) }
        let groups = failoverGroups(configuration, touchedBy: ran.map(\.1))
        for ((result, check), change) in zip(ran, changes) {
            let at = result.startedAt.unixMilliseconds
            log(result, change: change)
            let group = groups.first { $0.members.contains(check.name) }
            let carried = group.map { $0.status != .fail && $0.carriedBy != nil && $0.carriedBy != check.name } ?? false
            let alertState = alerts.observe(result, check: check, at: at, carried: carried)
            writer.add(
                StoredResult(
                    check: result.name, at: at, status: result.status, durationMs: result.duration.milliseconds,
                    message: result.message, metrics: result.metrics),
                change: change, alertState: alertState.map { (check.name, $0) })
        }
        let at = ran.last?.0.startedAt.unixMilliseconds ?? 0
        for group in groups {
            let members = configuration.checks.filter { group.members.contains($0.name) }
            if let bytes = alerts.observe(group: group, members: members, at: at) {
                writer.addAlertState(key: AlertCenter.groupKey(group.name), bytes: bytes)
            }
        }
        return results
    }

    /// One line per state change (`DOWN payments: HTTP 503`); with `-v` one per run.
    private func log(_ result: CheckResult, change: StateChange?) {
        let message = Escaping.logLine(result.message)
        if let change, change.from != nil || change.to != .ok {
            let word =
                switch change.to {
                case .ok: "UP"
                case .warn: "WARN"
                case .fail: "DOWN"
                case .skipped: "SKIPPED"
                }
            logger.info("\(word) \(result.name): \(message)")
        } else {
            logger.debug(
                "ran \(result.name): \(result.status.rawValue) in \(RunReport.formatMilliseconds(result.duration)): \(message)"
            )
        }
    }

    /// The failover groups with a member among `checks`, judged on the latest results.
    private func failoverGroups(_ configuration: LoadedConfiguration, touchedBy checks: [CheckDefinition])
        -> [GroupResult]
    {
        let names = Set(checks.compactMap(\.group))
        let groups = configuration.groups.filter { $0.policy == .failover && names.contains($0.name) }
        guard !groups.isEmpty else { return [] }
        var latest: [String: CheckResult] = [:]
        for group in groups {
            for member in group.members { latest[member] = state.latest(member) }
        }
        return GroupEvaluator.evaluate(groups, results: latest)
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

}
