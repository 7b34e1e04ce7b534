import Foundation
public import HealthrunCore
public import Logging
public import ServiceLifecycle

/// `healthrun serve` without the HTTP part: the scheduler ticks every check on its interval,
/// the runner runs each tick through the engine (dependencies and failover groups judged on
/// the latest results, by the engine's rules) and records the results, the writer commits them
/// to the store in batches and prunes old history. A `Service`: it stops on graceful shutdown
/// and commits what is pending.
public final class ServeRuntime: Service, Sendable {
    /// Knobs of the runtime; the defaults are what `healthrun serve` uses. How many checks run
    /// at once is the engine's `concurrency`.
    public struct Options: Sendable {
        /// A check's interval when it sets none.
        public var defaultInterval: Duration = .seconds(60)
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
        /// How long an alert request may take before it counts as failed.
        public var alertRequestTimeout: Duration = .seconds(10)
        /// How long a shutdown keeps sending alerts.
        public var alertShutdownLimit: Duration = .seconds(2)
        /// Wall-clock now in Unix ms (injected in tests).
        public var now: @Sendable () -> Int64 = { Date().unixMilliseconds }

        /// The defaults.
        public init() {}
    }

    /// What the HTTP surface reads.
    public let state: LiveState
    /// The history.
    public let store: ResultStore
    /// The options.
    public let options: Options
    let scheduler: TickScheduler
    let runner: CheckRunner
    let writer: HistoryWriter
    let alerts: AlertCenter

    /// Creates the runtime and restores what the store remembers (latest results, rollups, alert state).
    public init(
        configuration: LoadedConfiguration, store: ResultStore, engine: Engine, options: Options = Options(),
        logger: Logger
    ) throws {
        self.store = store
        self.options = options
        state = LiveState(configuration: configuration)
        let now = options.now()
        let snapshot = try store.snapshot(
            hourlySince: now - 25 * Resolution.hourly.rawValue,
            dailySince: now - Int64(LiveState.stripDays) * Resolution.daily.rawValue)
        state.restore(latest: snapshot.latest, hourly: snapshot.hourly, daily: snapshot.daily)
        state.restoreRecent(snapshot.recent)
        writer = HistoryWriter(store: store, state: state, options: options, logger: logger)
        let decoder = JSONDecoder()
        let undelivered = snapshot.undelivered.compactMap { row -> (channel: String, envelope: AlertEnvelope)? in
            (try? decoder.decode(AlertEnvelope.self, from: Data(row.envelope))).map { (row.channel, $0) }
        }.sorted { $0.envelope.notice.at < $1.envelope.notice.at }
        alerts = AlertCenter(
            configuration: configuration, restoring: snapshot.alertStates, undelivered: undelivered, outbox: writer,
            window: options.alertWindow, backoff: options.alertBackoff, requestTimeout: options.alertRequestTimeout,
            logger: logger)
        runner = CheckRunner(
            engine: engine, state: state, writer: writer, alerts: alerts, store: store, logger: logger)
        scheduler = TickScheduler(options: options)
        scheduler.schedule(configuration, now: now)
    }

    /// Swaps in a new configuration: new checks are scheduled, removed ones dropped, changed
    /// intervals re-spread; history and alert state of kept checks stay.
    public func reload(_ configuration: LoadedConfiguration) {
        state.replace(configuration: configuration)
        scheduler.schedule(configuration, now: options.now())
        alerts.reload(configuration)
    }

    /// Messages sent and failed, for `/metrics`.
    public var alertCounters: AlertCounters { alerts.counters }

    /// Ticks skipped because a run overran.
    public var skippedTicks: Int { scheduler.skippedTicks }

    /// Runs until cancelled or a graceful shutdown: then stops scheduling, abandons runs in
    /// flight, commits what is pending and sends pending alerts.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await self.scheduler.run { tick in
                        self.state.recordLag(milliseconds: max(0, self.options.now() - tick.due))
                        await self.runner.tick(tick.name)
                        self.state.setSkippedTicks(self.scheduler.skippedTicks)
                    }
                }
                group.addTask { await self.writer.writeLoop() }
                group.addTask { await self.writer.pruneLoop() }
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
            await self.writer.commitPending()
            // Bounded: a receiver that hangs cannot hold the exit (SIGTERM exits within 5 s).
            // What was not delivered stays in the outbox and goes out after the restart.
            await self.alerts.stop(within: self.options.alertShutdownLimit)
            await self.writer.commitPending()
        }.value
    }
}
