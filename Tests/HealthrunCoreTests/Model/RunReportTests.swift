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
}
