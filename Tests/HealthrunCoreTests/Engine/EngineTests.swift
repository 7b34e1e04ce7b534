import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct EngineTests {
    typealias T = TestCheckers

    func run(
        _ checks: [CheckDefinition], groups: [GroupDefinition] = [], concurrency: Int = 64,
        redactor: Redactor = Redactor()
    ) async -> RunReport {
        await Engine(concurrency: concurrency).run(
            LoadedConfiguration(checks: checks, groups: groups, redactor: redactor))
    }

    @Test func aCheckerThatIgnoresCancellationStillTimesOutOnTime() async {
        let start = ContinuousClock.now
        let report = await run([
            T.definition("runaway", T.Runaway(), timeout: .milliseconds(200)),
            T.definition("fine", T.Scripted(outcomes: [.ok("fine")])),
        ])
        let elapsed = start.duration(to: .now)
        // The promise: the check is over within its timeout + 0.5 s. The whole run gets more
        // slack, as the suites share two cores.
        #expect(report.checks[0].duration < .milliseconds(700), "the check took \(report.checks[0].duration)")
        #expect(elapsed < .milliseconds(1200), "the run took \(elapsed)")
        #expect(report.checks[0].status == .fail)
        #expect(report.checks[0].message == "timed out after 200ms")
        #expect(report.checks[1].status == .ok)
        #expect(report.exitCode == 1)
    }

    @Test func blockingCheckersDoNotDelayOtherDeadlines() async {
        // More blocking checkers than cores: each must still time out at its deadline.
        let start = ContinuousClock.now
        let report = await run(
            (0..<16).map { T.definition("blocking-\($0)", T.Blocking(seconds: 3), timeout: .milliseconds(200)) })
        let elapsed = start.duration(to: .now)
        #expect(elapsed < .seconds(1.5), "16 blocking checkers took \(elapsed)")
        #expect(report.checks.allSatisfy { $0.message == "timed out after 200ms" })
        // Their threads are still blocked; the pool grew for them, so a new check gets a
        // thread at once instead of queueing behind them.
        let next = await run([T.definition("next", ThreadReporter<MayBlock>(), timeout: .seconds(1))])
        #expect(next.checks[0].message == "checker thread")
    }

    /// Reports whether its body runs on a checker thread.
    struct ThreadReporter<Blocks: BlockingKind>: Checker {
        static var typeName: String { "thread-reporter" }
        static var mayBlock: Bool { Blocks.value }
        typealias Configuration = TestCheckers.Empty

        func check(_ context: CheckContext) async throws -> CheckOutcome {
            .ok(Self.currentThreadName())
        }

        static func currentThreadName() -> String {
            CheckerExecutor.isCurrentThreadAnExecutorThread() ? "checker thread" : "shared pool"
        }
    }

    protocol BlockingKind { static var value: Bool { get } }
    enum MayBlock: BlockingKind { static let value = true }
    enum NeverBlocks: BlockingKind { static let value = false }

    /// Checkers that may block (the default) run on the engine's own threads; those that say
    /// they never block run on Swift's shared pool.
    @Test func onlyCheckersThatMayBlockRunOnTheCheckerThreads() async {
        let report = await run([
            T.definition("may-block", ThreadReporter<MayBlock>()),
            T.definition("never-blocks", ThreadReporter<NeverBlocks>()),
        ])
        #expect(report.checks[0].message == "checker thread")
        #expect(report.checks[1].message == "shared pool")
        #expect(report.checks.allSatisfy { $0.status == .ok })
    }

    @Test func checksRunConcurrentlyUpToTheLimit() async {
        let checks = (0..<40).map {
            T.definition("c\($0)", T.Scripted(outcomes: [.ok("ok")], delay: .milliseconds(200)))
        }
        var start = ContinuousClock.now
        let parallel = await run(checks, concurrency: 40)
        #expect(start.duration(to: .now) < .milliseconds(900))
        #expect(parallel.summary.ok == 40)
        start = ContinuousClock.now
        _ = await run(Array(checks.prefix(4)), concurrency: 1)
        #expect(start.duration(to: .now) >= .milliseconds(800), "concurrency 1 must run one at a time")
    }

    @Test func retriesCountAttemptsAndStopOnSuccess() async {
        let flaky = T.Scripted(outcomes: [.fail("down"), .fail("down"), .ok("up")])
        let report = await run([T.definition("flaky", flaky, retries: 3)])
        #expect(report.checks[0].status == .ok)
        #expect(report.checks[0].attempts == 3)
        #expect(flaky.callCount == 3)

        let broken = T.Scripted(outcomes: [.fail("down")])
        let failed = await run([T.definition("broken", broken, retries: 2)])
        #expect(failed.checks[0].attempts == 3)
        #expect(failed.checks[0].message == "down")
    }

    @Test func slowOkBecomesWarn() async {
        let report = await run([
            T.definition(
                "slow", T.Scripted(outcomes: [.ok("200 OK")], delay: .milliseconds(150)), warnLatency: .milliseconds(50)
            )
        ])
        #expect(report.checks[0].status == .warn)
        #expect(report.checks[0].message == "200 OK (slower than 50ms)")
        #expect(report.exitCode == 0)
        var strict = report
        strict.failOnWarn = true
        #expect(strict.exitCode == 1)
    }

    @Test func dependentsOfAFailedCheckAreSkipped() async {
        let dependent = T.Scripted(outcomes: [.ok("ok")])
        let report = await run([
            T.definition("network", T.Scripted(outcomes: [.fail("no route")]), critical: false),
            T.definition("api", dependent, dependsOn: ["network"]),
            T.definition("ui", T.Scripted(outcomes: [.ok("ok")]), dependsOn: ["api"]),
        ])
        #expect(report.checks.map(\.status) == [.fail, .skipped, .skipped])
        #expect(report.checks[1].message == "not run: dependency 'network' did not pass")
        #expect(report.checks[2].message == "not run: dependency 'api' did not pass")
        #expect(dependent.callCount == 0)
        // A critical check that could not be verified fails the run.
        #expect(report.exitCode == 1)
    }

    @Test func dependenciesRunFirst() async {
        let order = OrderLog()
        let report = await run([
            T.definition("b", Recording(name: "b", log: order), dependsOn: ["a"]),
            T.definition("a", Recording(name: "a", log: order)),
        ])
        #expect(order.names == ["a", "b"])
        #expect(report.checks.map(\.name) == ["b", "a"], "results keep definition order")
    }

    @Test func anyGroupCarriedByAFallbackPassesTheRun() async {
        let report = await run(
            [
                T.definition("primary", T.Scripted(outcomes: [.fail("503")]), group: "llm"),
                T.definition("fallback", T.Scripted(outcomes: [.ok("ok")]), group: "llm"),
            ],
            groups: [
                GroupDefinition(
                    name: "llm", policy: .any, members: ["primary", "fallback"], source: SourceLocation(file: "g"))
            ]
        )
        #expect(report.groups[0].status == .warn)
        #expect(report.groups[0].carriedBy == "fallback")
        #expect(report.exitCode == 0, "a critical primary judged through its carried group does not fail the run")
        #expect(report.status == .warn)
    }

    @Test func anyGroupWithEveryMemberDownFailsTheRun() async {
        let report = await run(
            [
                T.definition("primary", T.Scripted(outcomes: [.fail("503")]), group: "llm"),
                T.definition("fallback", T.Scripted(outcomes: [.fail("401")]), group: "llm"),
            ],
            groups: [
                GroupDefinition(
                    name: "llm", policy: .any, members: ["primary", "fallback"], source: SourceLocation(file: "g"))
            ]
        )
        #expect(report.groups[0].status == .fail)
        #expect(report.failures.map(\.name) == ["llm"])
        #expect(report.exitCode == 1)
    }

    @Test func failoverCallsTheFallbackOnlyWhenNeeded() async {
        let fallback = T.Scripted(outcomes: [.ok("ok")])
        let group = GroupDefinition(
            name: "llm", policy: .failover, members: ["primary", "fallback"], source: SourceLocation(file: "g"))
        let healthy = await run(
            [
                T.definition("primary", T.Scripted(outcomes: [.ok("ok")]), group: "llm"),
                T.definition("fallback", fallback, group: "llm"),
            ],
            groups: [group]
        )
        #expect(healthy.checks[1].status == .skipped)
        #expect(healthy.checks[1].message == "not needed: primary ok")
        #expect(fallback.callCount == 0)
        #expect(healthy.groups[0].status == .ok)
        #expect(healthy.exitCode == 0)

        let degraded = await run(
            [
                T.definition("primary", T.Scripted(outcomes: [.fail("down")]), group: "llm"),
                T.definition("fallback", fallback, group: "llm"),
            ],
            groups: [group]
        )
        #expect(fallback.callCount == 1)
        #expect(degraded.groups[0].status == .warn)
        #expect(degraded.exitCode == 0)
    }

    @Test func allGroupTakesTheWorstMember() async {
        let report = await run(
            [
                T.definition("a", T.Scripted(outcomes: [.ok("ok")]), group: "db"),
                T.definition("b", T.Scripted(outcomes: [.warn("lag")]), group: "db"),
            ],
            groups: [GroupDefinition(name: "db", policy: .all, members: ["a", "b"], source: SourceLocation(file: "g"))]
        )
        #expect(report.groups[0].status == .warn)
    }

    @Test func nonCriticalFailuresNeverFailTheRun() async {
        let report = await run([
            T.definition("optional", T.Scripted(outcomes: [.fail("down")]), critical: false),
            T.definition("required", T.Scripted(outcomes: [.ok("ok")])),
        ])
        #expect(report.exitCode == 0)
        #expect(report.status == .warn)
        #expect(report.summaryLine.hasPrefix("2 checks: 1 ok, 1 fail in "))
    }

    @Test func criticalFailureIsMarkedInTheSummary() async {
        let report = await run([T.definition("db", T.Scripted(outcomes: [.fail("down")]))])
        #expect(report.summaryLine.hasPrefix("1 check: 1 fail (critical) in "))
    }

    @Test func cancellingTheRunSkipsWhatIsLeft() async {
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let checks =
            [T.definition("hung", T.Runaway(onStart: { startedSignal.yield() }), timeout: .seconds(30))]
            + (0..<5).map { T.definition("later-\($0)", T.Scripted(outcomes: [.ok("ok")]), dependsOn: ["hung"]) }
        let task = Task { await Engine().run(LoadedConfiguration(checks: checks)) }
        for await _ in started { break }  // the hung check is running
        let start = ContinuousClock.now
        task.cancel()
        let report = await task.value
        #expect(start.duration(to: .now) < .seconds(1))
        #expect(report.cancelled)
        #expect(report.checks[0].message == "run cancelled")
        #expect(report.checks.allSatisfy { $0.status == .skipped })
    }

    @Test func messagesAndDetailsAreRedacted() async {
        let redactor = Redactor()
        redactor.register("sk-canary-0123456789abcdef")
        var leaky = T.Scripted(outcomes: [.fail("401: key sk-canary-0123456789abcdef rejected")])
        leaky.details = ["echo": .string("Bearer sk-canary-0123456789abcdef")]
        let report = await run([T.definition("leaky", leaky)], redactor: redactor)
        #expect(report.checks[0].message == "401: key sk-c…cdef rejected")
        #expect(report.checks[0].details["echo"] == .string("Bearer sk-c…cdef"))
    }

    @Test func theEngineCanBeCalledAgainAndAgain() async {
        let checks = [T.definition("a", T.Scripted(outcomes: [.ok("ok")]))]
        for _ in 0..<200 {
            let report = await run(checks)
            #expect(report.summary.ok == 1)
        }
    }
}

/// Records the order in which checks ran.
final class OrderLog: Sendable {
    private let storage = Locked<[String]>([])
    func append(_ name: String) { storage.withLock { $0.append(name) } }
    var names: [String] { storage.value }
}

struct Recording: Checker {
    static let typeName = "recording"
    typealias Configuration = TestCheckers.Empty
    let name: String
    let log: OrderLog

    func check(_ context: CheckContext) async throws -> CheckOutcome {
        log.append(name)
        try await Task.sleep(for: .milliseconds(20))
        return .ok("ok")
    }
}

@Suite struct CheckerExecutorTests {
    /// The shared pool starts no thread for a run whose checkers never block: the first job
    /// starts the first thread.
    @Test(.timeLimit(.minutes(1))) func aPoolWithoutThreadsStartsOneForItsFirstJob() async {
        let executor = CheckerExecutor(initialThreads: 0, maximumThreads: 4)
        #expect(executor.startedThreads == 0)
        let onPoolThread = await Task(executorPreference: executor) {
            CheckerExecutor.isCurrentThreadAnExecutorThread()
        }.value
        #expect(onPoolThread)
        #expect(executor.startedThreads == 1)
    }

    /// A burst of jobs that all block: each gets a thread of its own at once, up to the maximum,
    /// rather than queueing behind the blocked ones.
    @Test func aBurstOfBlockingJobsGrowsThePool() async throws {
        let executor = CheckerExecutor(initialThreads: 1, maximumThreads: 16)
        let release = DispatchSemaphore(value: 0)
        let started = TestCheckers.Counter()
        for _ in 0..<8 {
            Task(executorPreference: executor) {
                _ = started.increment()
                _ = release.wait(timeout: .now() + 5)
            }
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        while started.value < 8, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(started.value == 8, "only \(started.value) of 8 blocking jobs got a thread")
        for _ in 0..<8 { release.signal() }
    }
}
