import Foundation
public import Logging

/// Runs checks: concurrently up to a limit, dependencies first, each attempt under a deadline
/// that holds even against a checker that ignores cancellation. A library call with no global
/// state and no process exit: call it as often as you like. It never throws; every failure is
/// a result. Cancelling the calling task cancels the run: unfinished checks are `skipped`.
public struct Engine: Sendable {
    /// Checks in flight at most, across every run of this engine (and its copies).
    public let concurrency: Int
    /// Where the engine logs (redacted).
    public var logger: Logger
    /// The threads checker bodies run on.
    public var executor: CheckerExecutor
    /// The tool named in reports.
    public var tool: RunReport.Tool
    /// Whether warn fails the run.
    public var failOnWarn: Bool
    /// Called as each check finishes (from the engine's task; keep it quick).
    public var onResult: (@Sendable (CheckResult) -> Void)?
    /// Where checkers that never block (``Checker/mayBlock`` false) run, with the engine's
    /// own work for their checks: one executor per event loop their I/O uses, each check on
    /// the one with the fewest checks in flight (so each loop's connections stay at its share
    /// of the concurrency), so that a check's request, its answer and its result stay on one thread (no wake-up of
    /// another thread per step). Empty: Swift's shared pool.
    public var nonBlockingExecutors: [any TaskExecutor] = []
    private let slots: ConcurrencyGate

    /// Creates an engine.
    public init(
        concurrency: Int = 64,
        logger: Logger = Logger(label: "healthrun", factory: { _ in SwiftLogNoOpLogHandler() }),
        executor: CheckerExecutor = .shared,
        tool: RunReport.Tool = .healthrun,
        failOnWarn: Bool = false
    ) {
        self.concurrency = max(1, concurrency)
        slots = ConcurrencyGate(limit: self.concurrency)
        self.logger = logger
        self.executor = executor
        self.tool = tool
        self.failOnWarn = failOnWarn
    }

    /// Runs the selected checks of a configuration and reports every result.
    public func run(_ configuration: LoadedConfiguration, selection: Selection = Selection()) async -> RunReport {
        let checks = selection.apply(to: configuration)
        let startedAt = Date()
        let start = ContinuousClock.now
        var results = await run(checks, groups: configuration.groups, prior: [:], redactor: configuration.redactor)
        let cancelled = Task.isCancelled
        for check in checks where results[check.name] == nil {
            let skipped = Self.skipped(check, message: "run cancelled")
            results[check.name] = skipped
            onResult?(skipped)
        }
        let ordered = checks.compactMap { results[$0.name] }
        return RunReport(
            tool: tool,
            startedAt: startedAt,
            finishedAt: Date(),
            duration: start.duration(to: .now),
            checks: ordered,
            groups: GroupEvaluator.evaluate(configuration.groups, results: results),
            failOnWarn: failOnWarn,
            cancelled: cancelled
        )
    }

    /// One scheduled run of the check `name`, as `healthrun serve` ticks it, under the rules
    /// of the one-shot run: its dependencies are judged on `latest` (one with no result yet does
    /// not hold it back), and when it heads a failover group, the members after it run while
    /// the group is not carried. Returns the results in chain order; none once cancelled.
    public func run(
        scheduled name: String, in configuration: LoadedConfiguration, latest: (String) -> CheckStatus?
    ) async -> [CheckResult] {
        let chain = configuration.failoverChain(headedBy: name)
        let names = Set(chain.map(\.name))
        var prior: [String: DependencyScheduler.Completion] = [:]
        for dependency in chain.flatMap(\.dependsOn) where !names.contains(dependency) {
            if let status = latest(dependency) { prior[dependency] = status.isPassing ? .passed : .failed }
        }
        let results = await run(chain, groups: configuration.groups, prior: prior, redactor: configuration.redactor)
        guard !Task.isCancelled else { return [] }
        return chain.compactMap { results[$0.name] }
    }

    /// Runs `checks` in dependency and failover order, up to the engine's limit at once;
    /// dependencies outside `checks` count as `prior` says. Checks left when the task is
    /// cancelled have no result.
    private func run(
        _ checks: [CheckDefinition], groups: [GroupDefinition], prior: [String: DependencyScheduler.Completion],
        redactor: Redactor
    ) async -> [String: CheckResult] {
        let logger = Logger(
            label: logger.label,
            factory: { _ in RedactingLogHandler(wrapping: self.logger.handler, redactor: redactor) })
        let byName = Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0) })
        var scheduler = DependencyScheduler(nodes: Self.nodes(for: checks, groups: groups), prior: prior)
        var results: [String: CheckResult] = [:]

        func record(_ result: CheckResult) {
            results[result.name] = result
            onResult?(result)
        }
        func recordSkips(_ skips: [(name: String, reason: DependencyScheduler.SkipReason)]) {
            for skip in skips {
                guard let check = byName[skip.name] else { continue }
                record(Self.skipped(check, message: skip.reason.message))
            }
        }

        recordSkips(scheduler.skippedAtStart)
        let slots = self.slots
        let executors = nonBlockingExecutors
        // Checks in flight per executor; a check goes to the least busy.
        var busy = [Int](repeating: 0, count: executors.count)
        // The loop that takes results runs where most checks do, not on a thread of its own.
        await withTaskExecutorPreference(executors.first) {
            await withTaskGroup(of: (result: CheckResult, executor: Int).self) { group in
                var inFlight = 0
                // A check that is ready but has no slot yet.
                var waiting: CheckDefinition?
                while true {
                    while !Task.isCancelled {
                        if waiting == nil {
                            guard let name = scheduler.popReady(), let check = byName[name] else { break }
                            waiting = check
                        }
                        if !slots.tryAcquire() {
                            // While checks of this run are in flight, take their results (each
                            // frees a slot) rather than stall; with none, the slots are held by
                            // other runs of this engine (serve's other ticks): wait for one.
                            if inFlight > 0 { break }
                            await slots.acquire()
                        }
                        guard let check = waiting else { break }
                        waiting = nil
                        inFlight += 1
                        let index = busy.indices.min { busy[$0] < busy[$1] } ?? -1
                        let executor = index >= 0 ? executors[index] : nil
                        if index >= 0 { busy[index] += 1 }
                        group.addTask(executorPreference: executor) {
                            defer { slots.release() }
                            let result = await self.runCheck(
                                check, redactor: redactor, logger: logger, nonBlocking: executor)
                            return (result, index)
                        }
                    }
                    guard let (result, index) = await group.next() else { break }
                    inFlight -= 1
                    if index >= 0 { busy[index] -= 1 }
                    record(result)
                    let skips = scheduler.complete(result.name, result.status.isPassing ? .passed : .failed)
                    // Once cancelled, what is left is "run cancelled", not a dependency's fault.
                    if !Task.isCancelled { recordSkips(skips) }
                }
            }
        }
        return results
    }

    static func nodes(for checks: [CheckDefinition], groups: [GroupDefinition]) -> [DependencyScheduler.Node] {
        var previousMember: [String: String] = [:]
        let selected = Set(checks.map(\.name))
        for group in groups where group.policy == .failover {
            let members = group.members.filter(selected.contains)
            for (previous, next) in zip(members, members.dropFirst()) { previousMember[next] = previous }
        }
        return checks.map {
            DependencyScheduler.Node(name: $0.name, dependsOn: $0.dependsOn, fallbackOf: previousMember[$0.name])
        }
    }

    /// A `skipped` result for a check that was not run, with the reason.
    public static func skipped(_ check: CheckDefinition, message: String) -> CheckResult {
        CheckResult(
            name: check.name,
            type: check.type,
            status: .skipped,
            critical: check.critical,
            duration: .zero,
            attempts: 0,
            message: message,
            group: check.group,
            tags: check.tags,
            source: check.source
        )
    }

    /// The one wording of a timeout: `timed out after 3s: ` and what the attempt waited for
    /// (what the checker said, else "no answer from" its target).
    static func timedOut(_ check: CheckDefinition, waitingFor: String?) -> CheckOutcome {
        let waitingFor = waitingFor ?? check.checker.target.map { "no answer from \($0)" }
        return .fail("timed out after \(DurationParser.format(check.timeout))" + (waitingFor.map { ": \($0)" } ?? ""))
    }

    /// Runs every attempt of one check and returns its redacted result; a checker that never
    /// blocks runs on `nonBlocking` (nil: the shared pool), any other on ``executor``.
    func runCheck(
        _ check: CheckDefinition, redactor: Redactor, logger: Logger, nonBlocking: (any TaskExecutor)? = nil
    ) async -> CheckResult {
        let startedAt = Date()
        var attempt = 0
        var outcome = CheckOutcome.fail("not run")
        var elapsed = Duration.zero
        var checkLogger = logger
        checkLogger[metadataKey: "check"] = "\(check.name)"
        while true {
            attempt += 1
            let attemptStart = ContinuousClock.now
            let deadline = attemptStart.advanced(by: check.timeout)
            let progress = CheckProgress()
            let context = CheckContext(
                name: check.name,
                deadline: deadline,
                timeout: check.timeout,
                attempt: attempt,
                logger: checkLogger,
                redactor: redactor,
                progress: progress
            )
            let checker = check.checker
            let threads: (any TaskExecutor)? = type(of: checker).mayBlock ? executor : nonBlocking
            let end = await Redactor.$current.withValue(redactor) {
                await DeadlineRace.run(deadline: deadline, executor: threads) {
                    try await checker.check(context)
                }
            }
            elapsed = attemptStart.duration(to: .now)
            switch end {
            case .returned(let returned):
                outcome = returned
            case .threw(let error as CheckFailure):
                outcome = .fail(error.message, details: error.details, metrics: error.metrics)
            case .threw(let error as DeadlineReached):
                outcome = Self.timedOut(check, waitingFor: error.waitingFor ?? progress.current)
            case .threw(let error):
                outcome = .fail(Task.isCancelled ? "run cancelled" : "error: \(error)")
            case .timedOut:
                outcome = Self.timedOut(check, waitingFor: progress.current)
            case .cancelled:
                return Self.skipped(check, message: "run cancelled")
            }
            checkLogger.debug(
                "attempt finished",
                metadata: ["attempt": "\(attempt)", "status": "\(outcome.status)", "message": "\(outcome.message)"]
            )
            guard outcome.status == .fail, attempt <= check.retries, !Task.isCancelled else { break }
            if check.retryDelay > .zero {
                do {
                    try await Task.sleep(for: check.retryDelay)
                } catch {
                    break
                }
            }
        }
        if outcome.status == .ok, let limit = check.warnLatency, (outcome.judgedLatency ?? elapsed) > limit {
            outcome.status = .warn
            outcome.message +=
                outcome.judgedLatency == nil
                ? " (slower than \(DurationParser.format(limit)))"
                : " (first token slower than \(DurationParser.format(limit)))"
        }
        // A checker or plugin may report what is not a metric: keep what is.
        outcome.metrics.removeAll { !Metric.isValidName($0.name) || !$0.value.isFinite }
        if !check.thresholds.isEmpty {
            for threshold in outcome.judge(check.thresholds) where outcome.status != .fail {
                let labels = threshold.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                checkLogger.warning(
                    "threshold not judged: the check reported no metric '\(threshold.metric)'\(labels.isEmpty ? "" : " with labels \(labels.joined(separator: ","))")"
                )
            }
        }
        var details: [String: DetailValue] = [:]
        if let target = check.checker.target { details["target"] = .string(redactor.redact(target)) }
        for (key, value) in outcome.details {
            details[redactor.redact(key)] = value.mapStrings(redactor.redact)
        }
        return CheckResult(
            name: check.name,
            type: check.type,
            status: outcome.status,
            critical: check.critical,
            duration: elapsed,
            attempts: attempt,
            message: redactor.redact(outcome.message),
            group: check.group,
            tags: check.tags,
            source: check.source,
            details: details,
            metrics: outcome.metrics.map { metric in
                var metric = metric
                if !metric.labels.isEmpty { metric.labels = metric.labels.mapValues(redactor.redact) }
                return metric
            },
            startedAt: startedAt
        )
    }
}
