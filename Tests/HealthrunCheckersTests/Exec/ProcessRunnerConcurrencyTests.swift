import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

/// Many plugin processes at once, outcomes only (no tight time bounds), so the suite also runs
/// under Thread Sanitizer.
@Suite struct ProcessRunnerConcurrencyTests {
    @Test func manyPluginsAtOnce() async throws {
        let directory = try TemporaryDirectory(files: [
            "echoer": "#!/bin/sh\nread line\necho \"OK - $HEALTHRUN_CHECK_NAME $line | n=1\"\n",
            "failer": "#!/bin/sh\necho 'CRITICAL - nope' >&2\necho 'CRITICAL - nope'\nexit 2\n",
        ])
        defer { directory.remove() }
        chmod(directory.path + "/echoer", 0o755)
        chmod(directory.path + "/failer", 0o755)
        var yaml = "checks:\n"
        for index in 0..<40 {
            yaml += "  - {name: p\(index), type: \(index % 2 == 0 ? "echoer" : "failer"), timeout: 20s, n: \(index)}\n"
        }
        let run = try await CheckHarness.run(yaml, concurrency: 16, plugins: directory.path)
        for (index, result) in run.report.checks.enumerated() {
            if index % 2 == 0 {
                #expect(
                    result.status == .ok && result.message == "OK - p\(index) {\"n\":\(index)}", "\(result.message)")
            } else {
                #expect(result.status == .fail && result.message == "CRITICAL - nope")
            }
        }
    }
}
