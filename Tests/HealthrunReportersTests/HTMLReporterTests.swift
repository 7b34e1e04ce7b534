import Foundation
import HealthrunCore
import HealthrunReporters
import HealthrunTesting
import Testing

@Suite struct HTMLReporterTests {
    func write(_ report: RunReport) throws -> String {
        let path = NSTemporaryDirectory() + "healthrun-report-\(UUID().uuidString).html"
        try ReportWriter.write(try HTMLReporter().render(report, options: RenderOptions()), to: path)
        return path
    }

    @Test func isSelfContainedAndEscaped() throws {
        let html = String(decoding: try HTMLReporter().render(Fixtures.report, options: RenderOptions()), as: UTF8.self)
        #expect(!html.contains("<script>document"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))
        for external in ["http://", "https://", "src=\"", "@import", "url("] {
            #expect(!html.contains(external), "external resource: \(external)")
        }
        #expect(html.contains("prefers-color-scheme:dark"))
    }

    @Test func theBrowserShowsEveryCheckAndRunsNoInjectedScript() async throws {
        guard Chromium.path != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install chromium (.ci/run does)")
            return
        }
        let path = try write(Fixtures.report)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dom = try await Chromium.dumpDOM(of: "file://" + path)
        #expect(dom.contains("<title>healthrun: fail — 4 checks</title>"), "the injected script changed the title")
        #expect(!dom.contains("pwned</title>"))
        for name in ["ok-check", "xss-check", "control-check", "skipped-check"] {
            #expect(dom.contains("id=\"check-\(name)\""))
        }
        #expect(!dom.contains("<img"), "an injected element was created")
        #expect(dom.contains("<div class=\"filters\">"), "the report's own script ran (filters shown)")
        #expect(dom.contains("Failing — 1 of 4 checks failed: xss-check"))
    }
}
