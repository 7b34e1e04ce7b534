import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunTesting
import NIOPosix
import Testing

/// The engine as the CLI runs it: checkers that never block on SwiftNIO's event loops. The
/// deadline guarantees must hold exactly as on Swift's shared pool.
@Suite struct EventLoopExecutorTests {
    typealias T = TestCheckers

    func run(_ checks: [CheckDefinition]) async -> RunReport {
        var engine = Engine(concurrency: 64)
        engine.nonBlockingExecutors = EventLoopExecutor.forSharedEventLoops
        return await engine.run(LoadedConfiguration(checks: checks, groups: [], redactor: Redactor()))
    }

    /// Says where its body runs.
    struct WhereAmI<Blocks: BlockingKind>: Checker {
        static var typeName: String { "where-am-i" }
        static var mayBlock: Bool { Blocks.value }
        typealias Configuration = TestCheckers.Empty

        func check(_ context: CheckContext) async throws -> CheckOutcome {
            if MultiThreadedEventLoopGroup.currentEventLoop != nil { return .ok("event loop") }
            return .ok(CheckerExecutor.isCurrentThreadAnExecutorThread() ? "checker thread" : "shared pool")
        }
    }

    protocol BlockingKind { static var value: Bool { get } }
    enum MayBlock: BlockingKind { static let value = true }
    enum NeverBlocks: BlockingKind { static let value = false }

    /// Never returns, ignores cancellation, and says it never blocks (it does not: it waits).
    struct SilentAwait: Checker {
        static let typeName = "silent-await"
        static let mayBlock = false
        typealias Configuration = TestCheckers.Empty

        func check(_ context: CheckContext) async throws -> CheckOutcome {
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
            return .ok("unreachable")
        }
    }

    @Test func checkersThatNeverBlockRunOnTheEventLoopsTheOthersOnCheckerThreads() async {
        let report = await run(
            (0..<8).flatMap {
                [
                    T.definition("loop-\($0)", WhereAmI<NeverBlocks>()),
                    T.definition("threads-\($0)", WhereAmI<MayBlock>()),
                ]
            })
        for result in report.checks {
            #expect(
                result.message == (result.name.hasPrefix("loop") ? "event loop" : "checker thread"), "\(result.name)")
        }
    }

    /// Counts the checks in flight on each event loop and keeps the most seen.
    final class LoopLoad: Sendable {
        private let state = Locked<(now: [ObjectIdentifier: Int], most: [ObjectIdentifier: Int])>(([:], [:]))

        func enter(_ loop: ObjectIdentifier) {
            state.withLock {
                $0.now[loop, default: 0] += 1
                $0.most[loop] = max($0.most[loop] ?? 0, $0.now[loop]!)
            }
        }

        func leave(_ loop: ObjectIdentifier) { state.withLock { $0.now[loop]! -= 1 } }
        var most: [Int] { state.withLock { Array($0.most.values) } }
    }

    /// Sleeps `milliseconds` on its event loop, counted by `load`.
    struct Sleeper: Checker {
        static let typeName = "sleeper"
        static let mayBlock = false
        typealias Configuration = TestCheckers.Empty
        let milliseconds: Int
        let load: LoopLoad

        func check(_ context: CheckContext) async throws -> CheckOutcome {
            guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return .fail("not on a loop") }
            load.enter(ObjectIdentifier(loop))
            try? await Task.sleep(for: .milliseconds(milliseconds))
            load.leave(ObjectIdentifier(loop))
            return .ok("slept")
        }
    }

    /// Each check goes to the loop with the fewest in flight, so no loop holds more than its
    /// share of the concurrency (and of the connections): long and short checks in turn would
    /// pile the long ones onto one loop if loops were taken in turn.
    @Test func checksGoToTheLeastBusyLoop() async {
        let load = LoopLoad()
        var engine = Engine(concurrency: 4)
        engine.nonBlockingExecutors = EventLoopExecutor.forSharedEventLoops
        let checks = (0..<24).map {
            T.definition("sleeper-\($0)", Sleeper(milliseconds: $0 % 2 == 0 ? 300 : 20, load: load))
        }
        let report = await engine.run(LoadedConfiguration(checks: checks, groups: [], redactor: Redactor()))
        #expect(report.checks.allSatisfy { $0.status == .ok })
        // A check's slot is free before the engine takes its result, so a loop may run one
        // more than its share for a moment; loops in turn would put all four long checks on
        // one loop.
        let share = (4 + EventLoopExecutor.forSharedEventLoops.count - 1) / EventLoopExecutor.forSharedEventLoops.count
        #expect(load.most.allSatisfy { $0 <= share + 1 }, "most in flight per loop: \(load.most)")
    }

    @Test func checkersThatIgnoreCancellationStillTimeOutOnTime() async {
        let start = ContinuousClock.now
        let report = await run([
            T.definition("silent", SilentAwait(), timeout: .milliseconds(200)),
            T.definition("runaway", T.Runaway(), timeout: .milliseconds(200)),
            T.definition("fine", WhereAmI<NeverBlocks>()),
        ])
        let elapsed = start.duration(to: .now)
        #expect(elapsed < .milliseconds(1200), "the run took \(elapsed)")
        for result in report.checks.prefix(2) {
            #expect(result.duration < .milliseconds(700), "\(result.name) took \(result.duration)")
            #expect(result.message == "timed out after 200ms")
        }
        #expect(report.checks[2].status == .ok)
    }

    @Test func blockingCheckersDoNotDelayTheDeadlinesOfChecksOnTheLoops() async {
        let start = ContinuousClock.now
        let report = await run(
            (0..<16).map { T.definition("blocking-\($0)", T.Blocking(seconds: 3), timeout: .milliseconds(200)) }
                + (0..<16).map { T.definition("silent-\($0)", SilentAwait(), timeout: .milliseconds(300)) })
        let elapsed = start.duration(to: .now)
        #expect(elapsed < .seconds(1.5), "the run took \(elapsed)")
        #expect(report.checks.prefix(16).allSatisfy { $0.message == "timed out after 200ms" })
        #expect(report.checks.suffix(16).allSatisfy { $0.message == "timed out after 300ms" })
    }
}
