import Foundation
import HealthrunCore

/// A report whose every string is hostile: markup, script, control characters, quotes.
enum Fixtures {
    static let xss = #"<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">"#
    static let control = "line1\nline2\u{1B}[31m red \u{0} nul \u{7} bell \"quoted\" back\\slash 100% done | pipe"

    static var report: RunReport {
        func check(
            _ name: String, _ status: CheckStatus, _ message: String, group: String? = nil, critical: Bool = true
        )
            -> CheckResult
        {
            CheckResult(
                name: name, type: "http", status: status, critical: critical, duration: .milliseconds(12.5),
                attempts: status == .skipped ? 0 : 1, message: message, group: group, tags: ["web", "edge"],
                source: SourceLocation(file: "checks.d/web.yaml", line: 7, column: 5),
                details: ["status_code": .int(503), "body": .string(xss)]
            )
        }
        return RunReport(
            startedAt: Date(timeIntervalSince1970: 1_795_000_000),
            finishedAt: Date(timeIntervalSince1970: 1_795_000_000.312),
            duration: .milliseconds(312),
            checks: [
                check("ok-check", .ok, "200 OK in 12 ms"),
                check("xss-check", .fail, "expected status 200, got 503: " + xss),
                check("control-check", .warn, control),
                check("skipped-check", .skipped, "not run: dependency 'xss-check' did not pass", group: "g\"roup\\"),
            ],
            groups: [
                GroupResult(
                    name: "g\"roup\\", policy: .any, status: .skipped, members: ["skipped-check"], carriedBy: nil,
                    critical: true, message: "no member ran")
            ]
        )
    }
}
