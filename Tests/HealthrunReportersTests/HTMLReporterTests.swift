import Foundation
import HealthrunCore
import HealthrunReporters
import Testing

/// Headless Chromium, when installed (`.ci/run` installs Debian's `chromium`).
enum Browser {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM after load, as Chromium serialises it.
    static func dumpDOM(of file: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--virtual-time-budget=2000",
            "--dump-dom", "file://" + file,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Void> { continuation in process.terminationHandler = { _ in continuation.finish() } }
        try process.run()
        let reading = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        for await _ in exited {}
        return String(decoding: await reading.value, as: UTF8.self)
    }
}

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
        guard Browser.path != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install chromium (.ci/run does)")
            return
        }
        let path = try write(Fixtures.report)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dom = try await Browser.dumpDOM(of: path)
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
