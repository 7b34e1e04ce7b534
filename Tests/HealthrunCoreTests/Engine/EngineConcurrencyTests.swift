import HealthrunCore
import HealthrunTesting
import Testing

/// The engine's concurrent parts under contention, asserting outcomes only (no tight time
/// bounds), so the suite also runs under Thread Sanitizer, where code is several times slower.
@Suite struct EngineConcurrencyTests {
    typealias T = TestCheckers

    static func mixedChecks() -> [CheckDefinition] {
        var checks: [CheckDefinition] = []
        for index in 0..<120 {
            switch index % 4 {
            case 0: checks.append(T.definition("runaway-\(index)", T.Runaway(), timeout: .milliseconds(50)))
            case 1:
                checks.append(T.definition("slow-\(index)", T.Scripted(outcomes: [.ok("ok")], delay: .milliseconds(5))))
            case 2:
                checks.append(
                    T.definition("flaky-\(index)", T.Scripted(outcomes: [.fail("down"), .ok("up")]), retries: 1)
                )
            default:
                checks.append(
                    T.definition(
                        "after-\(index)", T.Scripted(outcomes: [.ok("ok")]), dependsOn: ["runaway-\(index - 3)"])
                )
            }
        }
        return checks
    }

    @Test func racesResolveOnceUnderContention() async {
        for _ in 0..<5 {
            let report = await Engine(concurrency: 32).run(LoadedConfiguration(checks: Self.mixedChecks()))
            #expect(report.summary.total == 120)
            #expect(
                report.checks.filter { $0.name.hasPrefix("runaway") }.allSatisfy {
                    $0.message == "timed out after 50ms"
                })
            #expect(
                report.checks.filter { $0.name.hasPrefix("flaky") }.allSatisfy { $0.status == .ok && $0.attempts == 2 })
            #expect(report.checks.filter { $0.name.hasPrefix("after") }.allSatisfy { $0.status == .skipped })
        }
    }

    @Test func cancellationRacesCompletion() async {
        for round in 0..<20 {
            let checks = (0..<30).map {
                T.definition("c\($0)", T.Scripted(outcomes: [.ok("ok")], delay: .milliseconds($0 % 7)))
            }
            let task = Task { await Engine(concurrency: 8).run(LoadedConfiguration(checks: checks)) }
            try? await Task.sleep(for: .milliseconds(round % 5))
            task.cancel()
            let report = await task.value
            #expect(report.summary.total == 30)
            #expect(report.checks.allSatisfy { $0.status == .ok || $0.message == "run cancelled" })
        }
    }

    /// The in-flight limit holds across every run of one engine (serve's ticks run through one),
    /// and each run still finishes with all its results.
    @Test func theLimitHoldsAcrossConcurrentRunsOfOneEngine() async {
        let gauge = InFlightGauge()
        let engine = Engine(concurrency: 3)
        let reports = await withTaskGroup(of: RunReport.self) { group in
            for run in 0..<4 {
                let checks = (0..<10).map { T.definition("c\(run)-\($0)", Measured(gauge: gauge)) }
                group.addTask { await engine.run(LoadedConfiguration(checks: checks)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.map(\.summary.ok) == [10, 10, 10, 10])
        #expect(gauge.maximum == 3, "at most 3 at once across the four runs, and the limit was reached")
    }
}

/// Counts checks in flight and the most at once.
final class InFlightGauge: Sendable {
    private let state = Locked((now: 0, maximum: 0))
    var maximum: Int { state.value.maximum }
    func enter() {
        state.withLock {
            $0.now += 1; $0.maximum = max($0.maximum, $0.now)
        }
    }
    func leave() { state.withLock { $0.now -= 1 } }
}

/// A check that holds its slot for 5 ms and records that it did.
struct Measured: Checker {
    static let typeName = "measured"
    typealias Configuration = TestCheckers.Empty
    let gauge: InFlightGauge

    func check(_ context: CheckContext) async throws -> CheckOutcome {
        gauge.enter()
        defer { gauge.leave() }
        try await Task.sleep(for: .milliseconds(5))
        return .ok("ok")
    }
}
