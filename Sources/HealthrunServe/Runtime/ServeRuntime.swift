import Foundation
public import HealthrunCore
public import Logging
public import ServiceLifecycle

/// `healthrun serve` without the HTTP part: schedules every check on its interval, runs it
/// through the engine (dependencies and failover groups judged on the latest results), keeps
/// the results in memory and commits them to the store in batches, feeds the alert trackers,
/// and prunes old history. A `Service`: it stops on graceful shutdown and commits what is pending.
public final class ServeRuntime: Service, Sendable {
    /// Knobs of the runtime; the defaults are what `healthrun serve` uses.
    public struct Options: Sendable {
        /// A check's interval when it sets none.
        public var defaultInterval: Duration = .seconds(60)
        /// Checks in flight at most.
        public var concurrency = 64
        /// How long history is kept.
        public var retention = Retention()
        /// How often pending results are committed.
        public var batchInterval: Duration = .seconds(1)
        /// How often old history is pruned.
        public var pruneInterval: Duration = .seconds(3600)
        /// Notices within this window go out as one message.
        public var alertWindow: Duration = .seconds(3)
        /// The first retry delay of a failed alert.
        public var alertBackoff: Duration = .seconds(1)
        /// Wall-clock now in Unix ms (injected in tests).
        public var now: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

        /// The defaults.
        public init() {}
    }

    /// What the HTTP surface reads.
    public let state: LiveState
    /// The history.
    public let store: ResultStore
    /// The options.
    public let options: Options
    private let engine: Engine
    private let logger: Logger
    private let plan = Locked(SchedulePlan())
    private let pending = Locked(WriteBatch())
    private let trackers: Locked<[String: AlertTracker]>
    private let dispatcher: Locked<AlertDispatcher?>

    /// Creates the runtime and restores what the store remembers (latest results, rollups, alert state).
    public init(
        configuration: LoadedConfiguration, store: ResultStore, engine: Engine, options: Options = Options(),
        logger: Logger
    ) throws {
        self.store = store
        self.engine = engine
        self.options = options
        self.logger = logger
        state = LiveState(configuration: configuration)
        let now = options.now()
        let snapshot = try store.snapshot(
            hourlySince: now - 25 * Resolution.hourly.rawValue,
            dailySince: now - Int64(LiveState.stripDays) * Resolution.daily.rawValue)
        state.restore(latest: snapshot.latest, hourly: snapshot.hourly, daily: snapshot.daily)
        var restored: [String: AlertTracker] = [:]
        for (name, bytes) in snapshot.alertStates {
            if let tracker = try? JSONDecoder().decode(AlertTracker.self, from: Data(bytes)) {
                restored[name] = tracker
            }
        }
        trackers = Locked(restored)
        dispatcher = Locked(Self.makeDispatcher(configuration, options: options, logger: logger))
        schedule(configuration, now: now)
    }

    private static func makeDispatcher(
        _ configuration: LoadedConfiguration, options: Options, logger: Logger
    ) -> AlertDispatcher? {
        guard let alerting = configuration.alerting, !alerting.channelNames.isEmpty else { return nil }
        return AlertDispatcher(
            configuration: alerting, redactor: configuration.redactor, logger: logger, window: options.alertWindow,
            backoff: options.alertBackoff)
    }

    /// Failover members after the first run only when the members before them fail, so they
    /// have no ticks of their own.
    static func chainedMembers(_ configuration: LoadedConfiguration) -> Set<String> {
        Set(configuration.groups.filter { $0.policy == .failover }.flatMap { $0.members.dropFirst() })
    }

    private func schedule(_ configuration: LoadedConfiguration, now: Int64) {
        let chained = Self.chainedMembers(configuration)
        plan.withLock { plan in
            let wanted = configuration.checks.filter { !chained.contains($0.name) }
            let names = Set(wanted.map(\.name))
            for name in plan.entries.keys where !names.contains(name) { plan.remove(name) }
            for check in wanted {
                let interval = (check.interval ?? options.defaultInterval).wholeMilliseconds
                if plan.entries[check.name]?.interval != interval {
                    plan.add(check.name, interval: interval, now: now)
                }
            }
        }
    }

    /// Swaps in a new configuration: new checks are scheduled, removed ones dropped, changed
    /// intervals re-spread; history and alert state of kept checks stay.
    public func reload(_ configuration: LoadedConfiguration) {
        state.replace(configuration: configuration)
        schedule(configuration, now: options.now())
        let old = dispatcher.withLock { current in
            defer { current = Self.makeDispatcher(configuration, options: options, logger: logger) }
            return current
        }
        if let old {
            Task {
                await old.flush()
                await old.shutdown()
            }
        }
    }

    /// Messages sent and failed, for `/metrics`.
    public var alertCounters: AlertDispatcher.Counters {
        dispatcher.withLock { $0 }?.counters ?? AlertDispatcher.Counters()
    }

    /// Ticks skipped because a run overran.
    public var skippedTicks: Int { plan.withLock { $0.totalSkipped } }

    // MARK: Running

    /// Runs until cancelled or a graceful shutdown: then stops scheduling, abandons runs in
    /// flight, commits what is pending and sends pending alerts.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.scheduleLoop() }
                group.addTask { await self.writeLoop() }
                group.addTask { await self.pruneLoop() }
            }
        }
        await shutdown()
    }

    /// Commits what is pending and flushes alerts; called by `run` on its way out.
    public func shutdown() async {
        state.finishSubscribers()
        // In a task of its own: the caller may be cancelled, and the store's async write
        // honours cancellation.
        await Task {
            await self.commitPending()
            if let dispatcher = self.dispatcher.withLock({ $0 }) {
                // Pending alerts get two seconds, retries included.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await dispatcher.flush() }
                    group.addTask { try? await Task.sleep(for: .seconds(2)) }
                    await group.next()
                    group.cancelAll()
                }
                await dispatcher.shutdown()
            }
        }.value
    }

    private func scheduleLoop() async {
        let gate = ConcurrencyGate(limit: options.concurrency)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let due = plan.withLock { $0.takeDue(now: options.now()) }
                for run in due {
                    group.addTask {
                        await gate.acquire()
                        defer { gate.release() }
                        guard !Task.isCancelled else { return }
                        self.state.recordLag(milliseconds: max(0, self.options.now() - run.due))
                        await self.execute(run.name)
                        self.plan.withLock { _ = $0.finish(run.name, now: self.options.now()) }
                        self.state.setSkippedTicks(self.skippedTicks)
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

    /// Runs one scheduled check (and, for the first member of a failover group, the members
    /// after it while they are needed).
    func execute(_ name: String) async {
        let configuration = state.configuration
        guard let check = configuration.checks.first(where: { $0.name == name }) else { return }
        for dependency in check.dependsOn {
            if let latest = state.latest(dependency), !latest.status.isPassing {
                record(Engine.skipped(check, message: "not run: dependency '\(dependency)' did not pass"), check: check)
                return
            }
        }
        let result = await engine.run(check: check, redactor: configuration.redactor)
        guard !Task.isCancelled else { return }
        record(result, check: check)
        guard
            let group = configuration.groups.first(where: { $0.policy == .failover && $0.members.first == name })
        else { return }
        var carrier = result.status.isPassing ? name : nil
        for member in group.members.dropFirst() {
            guard let definition = configuration.checks.first(where: { $0.name == member }) else { continue }
            if let carrier {
                record(Engine.skipped(definition, message: "not needed: \(carrier) ok"), check: definition)
                continue
            }
            let fallback = await engine.run(check: definition, redactor: configuration.redactor)
            guard !Task.isCancelled else { return }
            record(fallback, check: definition)
            if fallback.status.isPassing { carrier = member }
        }
    }

    /// Records a result: memory, the pending batch, state changes and alerts.
    func record(_ result: CheckResult, check: CheckDefinition) {
        let at = Int64((result.startedAt.timeIntervalSince1970 * 1000).rounded())
        let change = state.record(result, at: at)
        var alertBytes: [UInt8]?
        var notices: [AlertTracker.Notice] = []
        if let policy = check.alert {
            trackers.withLock { trackers in
                var tracker = trackers[check.name] ?? AlertTracker()
                notices = tracker.observe(result.status, message: result.message, at: at, policy: policy)
                if tracker != trackers[check.name] {
                    trackers[check.name] = tracker
                    alertBytes = (try? JSONEncoder().encode(tracker)).map(Array.init)
                }
            }
        }
        pending.withLock { batch in
            batch.results.append(
                StoredResult(
                    check: result.name, at: at, status: result.status, durationMs: result.duration.milliseconds,
                    message: result.message))
            if let change { batch.changes.append(change) }
            if let alertBytes { batch.alertStates[check.name] = alertBytes }
        }
        if !notices.isEmpty, let dispatcher = dispatcher.withLock({ $0 }) {
            for notice in notices {
                dispatcher.enqueue(
                    AlertNotice(check: check.name, notice: notice, at: at, channels: check.alert?.channels ?? []))
            }
        }
    }

    private func writeLoop() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: options.batchInterval)
            } catch {
                return
            }
            await commitPending()
        }
    }

    /// Commits the pending batch; on failure it is kept for the next try.
    func commitPending() async {
        let batch = pending.withLock { batch in
            defer { batch = WriteBatch() }
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.write(batch)
            state.recordBatch(size: batch.results.count)
        } catch {
            logger.error("could not write history", metadata: ["error": "\(error)"])
            pending.withLock { newer in
                var merged = batch
                merged.results += newer.results
                merged.changes += newer.changes
                merged.alertStates.merge(newer.alertStates) { _, new in new }
                // A database that stays unwritable (a full disk) must not grow memory without
                // bound: keep the newest results, as memory already shows them.
                let limit = 100_000
                if merged.results.count > limit {
                    let dropped = merged.results.count - limit
                    merged.results.removeFirst(dropped)
                    logger.error(
                        "history writes keep failing; dropped the oldest results", metadata: ["count": "\(dropped)"])
                }
                newer = merged
            }
        }
    }

    private func pruneLoop() async {
        while !Task.isCancelled {
            do {
                let deleted = try await store.prune(now: options.now(), retention: options.retention)
                if deleted > 0 { logger.info("pruned history", metadata: ["rows": "\(deleted)"]) }
            } catch {
                logger.error("could not prune history", metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: options.pruneInterval)
            } catch {
                return
            }
        }
    }
}

/// At most `limit` runs at once; the others wait in order.
final class ConcurrencyGate: Sendable {
    private let state: Locked<(available: Int, waiters: [CheckedContinuation<Void, Never>])>

    init(limit: Int) {
        state = Locked((max(1, limit), []))
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
