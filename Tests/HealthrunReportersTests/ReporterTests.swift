import Foundation
import HealthrunCore
import Testing

@testable import HealthrunReporters

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct JSONReporterTests {
    @Test func parsesBackWithEveryStringIntact() throws {
        let bytes = try JSONReporter().render(Fixtures.report, options: RenderOptions())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(json["status"] as? String == "fail")
        #expect(json["started_at"] as? String == "2026-11-18T11:06:40.000Z")
        #expect(json["duration_ms"] as? Double == 312)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["message"] as? String } == Fixtures.report.checks.map(\.message))
        #expect((checks[1]["details"] as? [String: Any])?["body"] as? String == Fixtures.xss)
        #expect(checks[3]["attempts"] as? Int == 0)
    }

    /// `healthrun merge` reads what the JSON reporter writes: every field a report carries
    /// comes back, hostile strings included (the source keeps file and line, not the column).
    @Test func readsBackWhatItWrote() throws {
        let original = Fixtures.report
        let bytes = try JSONReporter().render(original, options: RenderOptions())
        let read = try JSONReportReader.read(bytes, file: "a.json")
        #expect(read.startedAt == original.startedAt)
        #expect(read.finishedAt == original.finishedAt)
        #expect(read.duration == original.duration)
        #expect(read.status == original.status)
        #expect(read.checks.count == original.checks.count)
        for (back, check) in zip(read.checks, original.checks) {
            #expect(back.name == check.name)
            #expect(back.status == check.status)
            #expect(back.message == check.message)
            #expect(back.details == check.details)
            #expect(back.group == check.group)
            #expect(back.tags == check.tags)
            #expect(back.duration == check.duration)
            #expect(back.source == SourceLocation(file: check.source.file, line: check.source.line))
        }
        #expect(read.groups == original.groups)
        #expect(try JSONReporter().render(read, options: RenderOptions()) == bytes)
    }

    @Test(arguments: [
        ("{", "a.json: not a healthrun JSON report: invalid JSON"),
        (#"{"schema_version": 2}"#, "a.json: schema_version 2 is not supported (this healthrun reads 1)"),
        (
            #"{"schema_version": 1, "tool": {"name": "x", "version": "1"}}"#,
            "a.json: not a healthrun JSON report: started_at is missing"
        ),
        (
            #"{"schema_version": 1, "tool": {"name": "x", "version": "1"}, "started_at": "2026-11-18T11:06:40Z", "finished_at": "2026-11-18T11:06:40Z", "duration_ms": 1, "groups": [], "checks": [{"name": "a", "type": "http", "status": "down"}]}"#,
            "a.json: not a healthrun JSON report: checks[0].status: "
        ),
        (
            #"{"schema_version": 1, "tool": {"name": "x", "version": "1"}, "started_at": "yesterday", "finished_at": "2026-11-18T11:06:40Z", "duration_ms": 1, "groups": [], "checks": []}"#,
            "a.json: started_at and finished_at must be ISO-8601 times"
        ),
    ])
    func rejectsWhatIsNotAReport(json: String, message: String) {
        #expect {
            try JSONReportReader.read(Array(json.utf8), file: "a.json")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}

@Suite struct JUnitReporterTests {
    @Test func isValidXMLWhateverTheMessagesContain() throws {
        let bytes = try JUnitReporter().render(Fixtures.report, options: RenderOptions())
        let document = try XMLDocument(data: Data(bytes))
        let suite = try #require(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "4")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        #expect(suite.attribute(forName: "skipped")?.stringValue == "1")
        #expect(suite.attribute(forName: "time")?.stringValue == "0.312")
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(
            cases.map { $0.attribute(forName: "name")?.stringValue } == [
                "ok-check", "xss-check", "control-check", "skipped-check",
            ])
        #expect(cases.map { $0.attribute(forName: "classname")?.stringValue } == ["http", "http", "http", "g\"roup\\"])
        let failure = try #require(cases[1].elements(forName: "failure").first)
        #expect(failure.attribute(forName: "message")?.stringValue == "expected status 200, got 503: " + Fixtures.xss)
        #expect(
            cases[2].elements(forName: "system-out").first?.stringValue?.hasPrefix(
                "warn: line1\nline2\\u{1b}[31m red \\u{0} nul") == true)
        #expect(cases[3].elements(forName: "skipped").count == 1)
        #expect(cases[0].children == nil || cases[0].children?.isEmpty == true)
    }
}

@Suite struct PrometheusReporterTests {
    @Test func isStrictExpositionFormatAndLabelsRoundTrip() throws {
        let bytes = try PrometheusReporter().render(Fixtures.report, options: RenderOptions())
        let families = try ExpositionParser.parse(String(decoding: bytes, as: UTF8.self))
        #expect(
            families.map(\.name) == [
                "healthrun_check_up", "healthrun_check_status", "healthrun_check_duration_seconds",
                "healthrun_check_attempts",
                "healthrun_run_timestamp_seconds", "healthrun_run_duration_seconds",
            ])
        let status = try #require(families.first { $0.name == "healthrun_check_status" })
        #expect(status.samples.map(\.value) == [0, 2, 1, 3])
        #expect(status.samples[3].labels == ["check": "skipped-check", "type": "http", "group": "g\"roup\\"])
        let up = try #require(families.first { $0.name == "healthrun_check_up" })
        #expect(up.samples.map(\.value) == [1, 0, 1, 0])
        #expect(families.last?.samples.first?.value == 0.312)
    }
}

@Suite struct GitHubReporterTests {
    @Test func annotatesFailuresAndWarningsWithEscaping() throws {
        let text = String(
            decoding: try GitHubAnnotationsReporter().render(Fixtures.report, options: RenderOptions()), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines[0].hasPrefix(
                "::error file=checks.d/web.yaml,line=7,title=healthrun%3A xss-check::expected status 200"))
        #expect(
            lines[1].hasPrefix(
                "::warning file=checks.d/web.yaml,line=7,title=healthrun%3A control-check::line1%0Aline2"))
        #expect(lines[1].contains("100%25 done"))
    }

    @Test func markdownEscapesPipesAndMarkup() throws {
        let text = String(
            decoding: try MarkdownReporter().render(Fixtures.report, options: RenderOptions()), as: UTF8.self)
        #expect(text.hasPrefix("### healthrun: ❌ fail\n"))
        #expect(text.contains("100% done \\| pipe"))
        #expect(!text.contains("<script>"))
    }
}

@Suite struct GitHubAnnotationTests {
    @Test func aNonCriticalFailureIsAWarningNotAnError() throws {
        func check(_ name: String, critical: Bool) -> CheckResult {
            CheckResult(
                name: name, type: "http", status: .fail, critical: critical, duration: .milliseconds(3), attempts: 1,
                message: "down", group: nil, tags: [], source: SourceLocation(file: "a.yaml", line: 2, column: 5))
        }
        let report = RunReport(
            startedAt: Date(), finishedAt: Date(), duration: .milliseconds(5),
            checks: [check("api", critical: true), check("docs", critical: false)], groups: [])
        let lines = String(
            decoding: try GitHubAnnotationsReporter().render(report, options: RenderOptions()), as: UTF8.self
        ).split(separator: "\n")
        #expect(
            lines == [
                "::error file=a.yaml,line=2,title=healthrun%3A api::down",
                "::warning file=a.yaml,line=2,title=healthrun%3A docs::down",
            ])
    }
}

@Suite struct ConsoleReporterTests {
    @Test func aCheckThatDidNotPassNamesItsTarget() throws {
        func check(_ name: String, _ status: CheckStatus, _ message: String) -> CheckResult {
            CheckResult(
                name: name, type: "http", status: status, critical: true, duration: .milliseconds(3), attempts: 1,
                message: message, group: nil, tags: [], source: SourceLocation(file: "a.yaml"),
                details: ["target": .string("http://127.0.0.1:8082/v1/models")])
        }
        let report = RunReport(
            startedAt: Date(), finishedAt: Date(), duration: .milliseconds(5),
            checks: [
                check("up", .ok, "200 OK"), check("models", .fail, "server error 503"),
                check("hung", .fail, "timed out after 1s: no answer from http://127.0.0.1:8082/v1/models"),
            ], groups: [])
        let lines = String(decoding: try ConsoleReporter().render(report, options: RenderOptions()), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines[2].hasPrefix("FAIL    models"))
        #expect(lines[3] == "        target: http://127.0.0.1:8082/v1/models")
        #expect(lines[4].hasPrefix("FAIL    hung"), "the message names it already: no second line")
        #expect(lines.filter { $0.contains("target:") }.count == 1)
    }

    @Test func colourOnlyWhenAsked() throws {
        let plain = String(
            decoding: try ConsoleReporter().render(Fixtures.report, options: RenderOptions(color: false)), as: UTF8.self
        )
        let coloured = String(
            decoding: try ConsoleReporter().render(Fixtures.report, options: RenderOptions(color: true)), as: UTF8.self)
        #expect(!plain.contains("\u{1B}[3"))
        #expect(coloured.contains("\u{1B}[31mFAIL"))
        #expect(
            plain.hasSuffix(
                "\nFAILED — 1 critical check failed: xss-check; 1 critical group failed: g\"roup\\ in 312 ms\n"))
        #expect(plain.contains("line1 line2\\u{1b}[31m red"), "a server cannot drive the terminal")
    }
}

@Suite struct BidiControlTests {
    @Test func bidiControlsAreShownEscapedInPagesAndOnTheConsole() {
        // "Trojan Source": U+202E shows `gnp.exe` as `exe.png`.
        let hostile = "invoice\u{202E}gnp.exe \u{2066}x\u{2069}"
        let html = Escaping.html(hostile)
        #expect(html == "invoice\\u{202e}gnp.exe \\u{2066}x\\u{2069}")
        #expect(!html.unicodeScalars.contains { $0.isBidiControl })
        let line = ConsoleReporter.oneLine(hostile)
        #expect(!line.unicodeScalars.contains { $0.isBidiControl })
        #expect(line.contains("\\u{202e}"))
    }
}
