import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

/// The live page in headless Chromium (`.ci/run` installs Debian's `chromium`).
@Suite struct StatusPageBrowserTests {
    @Test func thePageShowsTheVerdictEveryCheckAndRunsNoInjectedScript() async throws {
        guard Chromium.path != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install chromium (.ci/run does)")
            return
        }
        let xss = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"
        let (db, _) = ServeHarness.check("postgres", [.fail(xss)])
        let (proxy, _) = ServeHarness.check("claude-code-models", [.ok("2 models")])
        let (bot, _) = ServeHarness.check("telegram-bot", [.warn("webhook has 120 pending updates")])
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [db, proxy, bot]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("readiness") { try await harness.get("/readyz").status == 200 }

        let dom = try await Chromium.dumpDOM(of: "http://127.0.0.1:\(harness.port)/")
        #expect(dom.contains("<title>1 of 3 failing — postgres</title>"), "an injected script changed the title")
        #expect(!dom.contains("pwned</title>"))
        #expect(!dom.contains("<img src=\"x\""), "an injected element was created")
        for name in ["postgres", "claude-code-models", "telegram-bot"] {
            #expect(dom.contains("id=\"c-\(name)\""), "\(name)")
        }
        // Failing and warn checks come before the passing one.
        let failing = try #require(dom.range(of: "id=\"c-postgres\""))
        let warn = try #require(dom.range(of: "id=\"c-telegram-bot\""))
        let passing = try #require(dom.range(of: "id=\"c-claude-code-models\""))
        #expect(failing.lowerBound < passing.lowerBound && warn.lowerBound < passing.lowerBound)
        #expect(dom.contains("class=\"strip\""))
        #expect(dom.contains("data-live=\"on\""), "the page's own script ran")

        // The screenshot step: a person can look at it (the path is printed); the test checks
        // that Chromium rendered something of the page's size.
        let png = NSTemporaryDirectory() + "healthrun-serve-\(UUID().uuidString).png"
        try await Chromium.screenshot(of: "http://127.0.0.1:\(harness.port)/", to: png)
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(image.count > 10_000, "more than a blank page")
        print("status page screenshot: \(png)")
    }
}
