import Foundation
import HealthrunCore
import HealthrunReporters
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every output carries a result's metrics.
@Suite struct MetricsOutputTests {
    static var report: RunReport {
        var report = Fixtures.report
        report.checks[0].metrics = [
            Metric("balance", 84_000, unit: .tokens, labels: ["account": Fixtures.xss], breach: .warn),
            Metric("spent_today", 1.25, unit: .usd),
            Metric("quota_left", 0.84, unit: .ratio),
            Metric("requests", 12, unit: .count, labels: ["check": "shadow", "__x": "y", "model-name": "sonnet"]),
            // The same series again: the later value stands.
            Metric("requests", 13, unit: .count, labels: ["check": "shadow", "__x": "y", "model-name": "sonnet"]),
        ]
        return report
    }

    @Test func theJSONReportCarriesThemAndMergeReadsThemBack() throws {
        let bytes = try JSONReporter().render(Self.report, options: RenderOptions())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect((checks[1]["metrics"] as? [Any])?.isEmpty == true, "a list, empty when none")
        let first = try #require((checks[0]["metrics"] as? [[String: Any]])?.first)
        #expect(first["name"] as? String == "balance")
        #expect(first["unit"] as? String == "tokens")
        #expect(first["breach"] as? String == "warn")
        #expect((first["labels"] as? [String: String])?["account"] == Fixtures.xss)
        let read = try JSONReportReader.read(bytes, file: "a.json")
        #expect(read.checks[0].metrics == Self.report.checks[0].metrics)
        #expect(try JSONReporter().render(read, options: RenderOptions()) == bytes)
    }

    @Test func prometheusGetsOneSeriesPerMetricWithSafeLabels() throws {
        let bytes = try PrometheusReporter().render(Self.report, options: RenderOptions())
        let families = try ExpositionParser.parse(String(decoding: bytes, as: UTF8.self))
        let metric = try #require(families.first { $0.name == "healthrun_check_metric" })
        #expect(metric.samples.count == 4, "the repeated series is written once")
        let requests = try #require(metric.samples.first { $0.labels["metric"] == "requests" })
        #expect(requests.value == 13)
        #expect(
            requests.labels == [
                "check": "ok-check", "type": "http", "group": "", "metric": "requests", "unit": "count",
                "label_check": "shadow", "label___x": "y", "model_name": "sonnet",
            ])
        let balance = try #require(metric.samples.first { $0.labels["metric"] == "balance" })
        #expect(balance.labels["account"] == Fixtures.xss)
    }

    @Test func junitListsThemAsProperties() throws {
        let bytes = try JUnitReporter().render(Self.report, options: RenderOptions())
        let document = try XMLDocument(data: Data(bytes))
        let properties = try document.nodes(forXPath: "//testcase[@name='ok-check']/properties/property")
            .compactMap { $0 as? XMLElement }
        #expect(
            properties.map { $0.attribute(forName: "name")?.stringValue ?? "" }.prefix(3) == [
                "balance{account=\(Fixtures.xss)}", "spent_today", "quota_left",
            ])
        #expect(properties.first?.attribute(forName: "value")?.stringValue == "84000 tokens")
        #expect(try document.nodes(forXPath: "//testcase[@name='xss-check']/properties").isEmpty)
    }

    @Test func theConsoleShowsThreeAndVerboseShowsAll() throws {
        func line(verbose: Bool) throws -> String {
            let text = String(
                decoding: try ConsoleReporter().render(Self.report, options: RenderOptions(verbose: verbose)),
                as: UTF8.self)
            return try #require(text.split(separator: "\n").first { $0.contains("ok-check") }).description
        }
        #expect(
            try line(verbose: false).hasSuffix(
                "[balance{account=\(Fixtures.xss)} 84,000 tokens, spent_today $1.25, quota_left 84%, +2]"))
        #expect(try line(verbose: true).hasSuffix("requests{__x=y,check=shadow,model-name=sonnet} 13]"))
    }
}
