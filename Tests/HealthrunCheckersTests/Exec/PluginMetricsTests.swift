import HealthrunCore
import Testing

@testable import HealthrunCheckers

/// What plugins measure becomes metrics: Nagios perfdata with its UOM mapped, and the JSON
/// contract's `metrics` list.
@Suite struct PluginMetricsTests {
    @Test(arguments: [
        ("time=0.25s;1;2;0;10", Metric("time", 0.25, unit: .s)),
        ("'rta'=12.5ms;100;500", Metric("rta", 12.5, unit: .ms)),
        ("rt=1500us", Metric("rt", 1.5, unit: .ms)),
        ("'free /'=45%;20;10;0;100", Metric("free", 0.45, unit: .ratio)),
        ("used=2KB", Metric("used", 2048, unit: .bytes)),
        ("used=3MB", Metric("used", 3 * 1024 * 1024, unit: .bytes)),
        ("used=1TB", Metric("used", 1024 * 1024 * 1024 * 1024, unit: .bytes)),
        ("used=7B", Metric("used", 7, unit: .bytes)),
        ("requests=42c", Metric("requests", 42, unit: .count)),
        ("users=3", Metric("users", 3, unit: .count)),
        ("temp=21.5C", Metric("temp", 21.5)),
    ])
    func perfdataUnitsAreMapped(perfdata: String, expected: Metric) throws {
        let datum = try #require(PerfDatum.parse(perfdata).first)
        #expect(PluginOutput.metric(datum) == expected)
    }

    @Test(arguments: ["junk", "x=", "x=abc", "'!!!'=3", "=5"])
    func malformedPerfdataMakesNoMetric(perfdata: String) {
        #expect(PerfDatum.parse(perfdata).compactMap(PluginOutput.metric).isEmpty)
    }

    @Test func nagiosOutputCarriesItsPerfdataAsMetrics() {
        let run = ProcessRunner.Outcome(
            termination: nil, stdout: Array("DISK OK - 45% free | 'free /'=45%;20;10;0;100 inodes=1200c\n".utf8),
            stderr: [], stdoutDropped: 0, stderrDropped: 0, timedOut: false)
        let outcome = PluginOutput.nagiosOutcome(run, code: 0, command: "plugin disk", details: [:])
        #expect(outcome.metrics == [Metric("free", 0.45, unit: .ratio), Metric("inodes", 1200, unit: .count)])
    }

    @Test func jsonPluginsReportAMetricsList() throws {
        let answer = PluginOutput.jsonOutcome(
            Array(
                #"""
                {"status": "ok", "message": "balance fine", "metrics": [
                  {"name": "balance", "value": 84000, "unit": "tokens", "labels": {"account": "main"}},
                  {"name": "spent_today", "value": 1.25, "unit": "usd"},
                  {"name": "Bad Name", "value": 1},
                  {"name": "no_value"},
                  {"name": "odd_unit", "value": 1, "unit": "parsecs"}
                ]}
                """#.utf8), details: [:])
        guard case .outcome(let outcome) = answer else {
            Issue.record("not an outcome: \(answer)")
            return
        }
        #expect(
            outcome.metrics == [
                Metric("balance", 84000, unit: .tokens, labels: ["account": "main"]),
                Metric("spent_today", 1.25, unit: .usd),
            ])
    }
}
