import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@testable import HealthrunServe

@Suite struct CheckPageTests {
    /// The target is one of the check's facts, shown once (it was also under the headline),
    /// escaped, and under the name on the status page.
    @Test func theTargetIsShownOnceAmongTheFacts() {
        let target = "http://127.0.0.1:8080/health?<b>"
        let definition = TestCheckers.definition("proxy", TestCheckers.Scripted(outcomes: [.ok("fine")]))
        let result = CheckResult(
            name: "proxy", type: "scripted", status: .ok, critical: true, duration: .milliseconds(12), attempts: 1,
            message: "200 OK", group: nil, tags: [], source: definition.source,
            details: ["target": .string(target)])
        let page = CheckPage.render(
            CheckPage.Input(
                result: result, definition: definition, window: "24h", hours: 24, latency: [], failures: [],
                metrics: [], uptime: [], days: [], changes: [], now: 1_764_547_200_000))
        let escaped = "http://127.0.0.1:8080/health?&lt;b&gt;"
        #expect(page.components(separatedBy: escaped).count == 2, "the target appears once")
        #expect(page.contains("<tr><th scope=\"row\">Target</th><td><code>\(escaped)</code></td></tr>"))
        #expect(!page.contains("<b>"))
        #expect(StatusPage.target(result) == "<div class=\"target\">\(escaped)</div>")
    }
}
