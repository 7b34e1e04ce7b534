import Foundation
import HealthrunCore
import Testing

@Suite struct RunReportTests {
    func result(_ name: String, _ status: CheckStatus, critical: Bool = true) -> CheckResult {
        CheckResult(
            name: name, type: "t", status: status, critical: critical, duration: .milliseconds(5), attempts: 1,
            message: "", group: nil, tags: [], source: SourceLocation(file: "f")
        )
    }

    func report(_ checks: [CheckResult], failOnWarn: Bool = false, cancelled: Bool = false) -> RunReport {
        RunReport(
            startedAt: Date(), finishedAt: Date(), duration: .milliseconds(312), checks: checks, groups: [],
            failOnWarn: failOnWarn, cancelled: cancelled
        )
    }

    @Test func verdicts() {
        #expect(report([result("a", .ok), result("b", .warn)]).exitCode == 0)
        #expect(report([result("a", .ok), result("b", .warn)], failOnWarn: true).exitCode == 1)
        #expect(report([result("a", .fail, critical: false)]).exitCode == 0)
        #expect(report([result("a", .fail)]).exitCode == 1)
        #expect(report([result("a", .skipped)], cancelled: true).failures.isEmpty)
    }

    @Test func summaryLine() {
        let checks = (0..<6).map { result("ok\($0)", .ok) } + [result("db", .fail)]
        #expect(report(checks).summaryLine == "7 checks: 6 ok, 1 fail (critical) in 312 ms")
    }

    @Test func theVerdictLineSaysPassedOrFailedAndWhy() {
        let oks = (0..<5).map { result("ok\($0)", .ok) }
        #expect(
            report(oks + [result("postgres", .fail), result("proxy", .fail), result("docs", .fail, critical: false)])
                .verdictLine == "FAILED — 2 critical checks failed: postgres, proxy in 312 ms")
        #expect(
            report(oks + [result("docs", .fail, critical: false), result("slow", .warn)]).verdictLine
                == "PASSED — 5 ok, 1 warn, 1 fail (not blocking: docs (not critical)) in 312 ms")
        // A failover primary carried by its fallback does not block, and says who carried it.
        let carried = RunReport(
            startedAt: Date(), finishedAt: Date(), duration: .milliseconds(15),
            checks: oks + [result("claude-code-models", .fail), result("gigachat-models", .ok)],
            groups: [
                GroupResult(
                    name: "llm", policy: .failover, status: .warn, members: ["claude-code-models", "gigachat-models"],
                    carriedBy: "gigachat-models", critical: true, message: "")
            ])
        #expect(
            carried.verdictLine
                == "PASSED — 6 ok, 1 fail (not blocking: claude-code-models, carried by gigachat-models) in 15 ms")
        #expect(carried.status == .warn)
        #expect(carried.summary.warn == 0 && carried.summary.fail == 1)
        #expect(carried.groupSummary == RunReport.Summary(total: 1, ok: 0, warn: 1, fail: 0, skipped: 0))
    }
}
