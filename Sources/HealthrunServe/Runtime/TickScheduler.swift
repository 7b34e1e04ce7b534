import HealthrunCore

/// Starts each check's runs on its ticks (see ``SchedulePlan``): one task per due tick, on
/// the runtime's clock. Failover members after the first have no ticks: their head's tick runs
/// them when needed.
final class TickScheduler: Sendable {
    private let plan = Locked(SchedulePlan())
    private let options: ServeRuntime.Options

    init(options: ServeRuntime.Options) {
        self.options = options
    }

    /// Ticks skipped because a run overran.
    var skippedTicks: Int { plan.withLock { $0.totalSkipped } }

    /// Schedules the checks of a configuration: new ones added, removed ones dropped, changed
    /// intervals re-spread.
    func schedule(_ configuration: LoadedConfiguration, now: Int64) {
        let chained = configuration.chainedMembers
        plan.withLock { plan in
            let wanted = configuration.checks.filter { !chained.contains($0.name) }
            let names = Set(wanted.map(\.name))
            for name in plan.entries.keys where !names.contains(name) { plan.remove(name) }
            for check in wanted {
                let interval = check.interval(default: options.defaultInterval).wholeMilliseconds
                if plan.entries[check.name]?.interval != interval {
                    plan.add(check.name, interval: interval, now: now)
                }
            }
        }
    }

    /// Calls `run` for every due tick, each in a task of its own, until cancelled.
    func run(_ run: @escaping @Sendable (SchedulePlan.DueRun) async -> Void) async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let due = plan.withLock { $0.takeDue(now: options.now()) }
                for tick in due {
                    group.addTask {
                        guard !Task.isCancelled else { return }
                        await run(tick)
                        self.plan.withLock { _ = $0.finish(tick.name, now: self.options.now()) }
                    }
                }
                let now = options.now()
                let next = plan.withLock { $0.nextDue } ?? (now + 200)
                let wait = min(max(next - now, 1), 200)
                do {
                    try await Task.sleep(for: .milliseconds(wait))
                } catch {
                    break
                }
            }
            group.cancelAll()
        }
    }
}
