import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

/// `GET /api/v1/checks/{name}/metrics` and the metric series of `/metrics`.
@Suite struct MetricsEndpointTests {
    @Test func seriesComeBackByWindowWithTheirUnitsAndLabels() async throws {
        let (usage, _) = ServeHarness.check(
            "usage",
            [
                .ok(
                    "fine",
                    metrics: [
                        Metric("tokens", 120, unit: .tokens, labels: ["model": "sonnet"]),
                        Metric("balance", 84_000, unit: .usd),
                    ])
            ])
        let (plain, _) = ServeHarness.check("plain", [.ok("no numbers")])
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [usage, plain]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("two stored points") {
            let document = try await harness.get("/api/v1/checks/usage/metrics").json()
            let series = document["series"] as? [[String: Any]] ?? []
            return series.count == 2 && series.allSatisfy { ($0["points"] as? [Any])?.count ?? 0 >= 2 }
        }
        let day = try await harness.get("/api/v1/checks/usage/metrics?window=24h").json()
        #expect(day["check"] as? String == "usage")
        #expect(day["window"] as? String == "24h")
        #expect(day["step_s"] as? Int == 1, "the harness' 100 ms interval counts as the 1 s minimum")
        let series = try #require(day["series"] as? [[String: Any]])
        #expect(series.map { $0["metric"] as? String } == ["balance", "tokens"])
        #expect(series.map { $0["unit"] as? String } == ["usd", "tokens"])
        #expect(series[1]["labels"] as? [String: String] == ["model": "sonnet"])
        let point = try #require((series[1]["points"] as? [[Any]])?.first)
        #expect(point.count == 2)
        #expect((point[0] as? Int64 ?? Int64(point[0] as? Int ?? 0)) > 1_700_000_000_000)
        #expect(point[1] as? Double == 120 || point[1] as? Int == 120)
        #expect(series[0]["min"] == nil, "raw points have no band")

        let week = try await harness.get("/api/v1/checks/usage/metrics?window=7d&metric=tokens").json()
        #expect(week["step_s"] as? Int == 3600)
        let weekly = try #require(week["series"] as? [[String: Any]])
        #expect(weekly.map { $0["metric"] as? String } == ["tokens"])
        #expect((weekly.first?["min"] as? [[Any]])?.count == 1, "one hourly bucket, with its min and max")

        let badWindow = try await harness.get("/api/v1/checks/usage/metrics?window=1y")
        #expect(badWindow.status == 400)
        #expect(badWindow.body.contains("use one of: 24h, 7d, 30d, 90d"))
        let badMetric = try await harness.get("/api/v1/checks/usage/metrics?metric=token")
        #expect(badMetric.status == 400)
        #expect(badMetric.body.contains("its metrics: balance, tokens"), "\(badMetric.body)")
        #expect(try await harness.get("/api/v1/checks/nope/metrics").status == 404)
        let none = try await harness.get("/api/v1/checks/plain/metrics").json()
        #expect((none["series"] as? [Any])?.isEmpty == true)

        let exposition = try await harness.get("/metrics").body
        #expect(
            exposition.contains(
                #"healthrun_check_metric{check="usage",type="scripted",group="",metric="tokens",unit="tokens",model="sonnet"} 120"#
            ))
    }

    /// A type whose runs cost tokens: five minutes apart unless the check says, as `completion` is.
    struct Metered: Checker {
        static let typeName = "metered"
        typealias Configuration = TestCheckers.Empty
        static let defaultInterval: Duration? = .seconds(300)
        func check(_ context: CheckContext) async throws -> CheckOutcome {
            .ok(
                "answered",
                metrics: [Metric("input_tokens", 14, unit: .tokens), Metric("output_tokens", 2, unit: .tokens)])
        }
    }

    @Test func aMeteredTypeRunsAtItsOwnDefaultIntervalAndCountsTheTokensItSpent() async throws {
        func definition(_ name: String, interval: Duration?) -> CheckDefinition {
            var check = CheckDefinition(
                name: name, type: Metered.typeName, timeout: .seconds(2),
                source: SourceLocation(file: "checks.d/llm.yaml", line: 1, column: 3), checker: Metered())
            check.interval = interval
            return check
        }
        let harness = try await ServeHarness(
            configuration: LoadedConfiguration(checks: [
                definition("canary", interval: nil), definition("fast-canary", interval: .milliseconds(100)),
            ]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("three runs of the fast canary") {
            try await harness.resultCount("fast-canary") >= 3
        }
        let status = try await harness.get("/api/v1/status").json()
        let checks = try #require(status["checks"] as? [[String: Any]])
        let intervals = Dictionary(
            uniqueKeysWithValues: checks.map { ($0["name"] as? String ?? "", $0["interval_ms"] as? Int ?? 0) })
        #expect(intervals == ["canary": 300_000, "fast-canary": 100], "\(intervals)")
        let runs = try await harness.resultCount("fast-canary")
        let exposition = try await harness.get("/metrics").body
        let line = try #require(
            exposition.split(separator: "\n").first {
                $0.hasPrefix("healthrun_probe_tokens_total{check=\"fast-canary\"}")
            })
        let spent = try #require(Double(line.split(separator: " ").last ?? ""))
        #expect(spent >= Double(runs * 16), "\(line) after \(runs) stored runs")
        #expect(exposition.contains("# TYPE healthrun_probe_tokens_total counter"))
    }
}
