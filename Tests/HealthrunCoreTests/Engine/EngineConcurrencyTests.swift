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
}
