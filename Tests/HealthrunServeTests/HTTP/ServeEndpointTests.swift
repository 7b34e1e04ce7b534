import AsyncHTTPClient
import CompressNIO
import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import NIOCore
import NIOHTTP1
import Testing

@Suite struct ServeEndpointTests {
    /// db ok, proxy failing, and a failover group whose primary fails, whose first fallback
    /// carries it and whose second fallback must never be called.
    static func fleet() -> (LoadedConfiguration, spare: TestCheckers.Scripted) {
        let (db, _) = ServeHarness.check("db", [.ok("select 1")])
        let (proxy, _) = ServeHarness.check("proxy", [.fail("connection refused to 127.0.0.1:1")])
        let (claude, _) = ServeHarness.check("claude", [.fail("HTTP 503")], group: "llm")
        let (gigachat, _) = ServeHarness.check("gigachat", [.ok("2 models")], group: "llm")
        let (spare, spareChecker) = ServeHarness.check("spare", [.ok("never")], group: "llm")
        let (report, _) = ServeHarness.check("report", [.ok("fine")], dependsOn: ["proxy"])
        let configuration = LoadedConfiguration(
            checks: [db, proxy, claude, gigachat, spare, report],
            groups: [
                GroupDefinition(
                    name: "llm", policy: .failover, members: ["claude", "gigachat", "spare"],
                    source: SourceLocation(file: "checks.d/test.yaml", line: 1, column: 1))
            ])
        return (configuration, spareChecker)
    }

    @Test func headIsAnsweredOnEveryGetRoute() async throws {
        // It was 404 everywhere: uptime probes and `curl -I` use HEAD.
        let (configuration, _) = Self.fleet()
        let harness = try await ServeHarness(configuration: configuration, reload: { .reloaded(checks: 0) })
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("readiness") { try await harness.get("/readyz").status == 200 }
        for path in [
            "/", "/healthz", "/readyz", "/api/v1/status", "/checks/db", "/metrics", "/badge/db.svg",
            "/api/v1/checks/db/results", "/api/v1/checks/db/summary",
        ] {
            let get = try await harness.get(path)
            let head = try await harness.get(path, method: .HEAD)
            #expect(head.status == get.status, "HEAD \(path)")
            #expect(head.bytes.readableBytes == 0, "HEAD \(path) sent a body")
            #expect(head.header("content-type") == get.header("content-type"), "HEAD \(path)")
        }
        #expect(try await harness.get("/checks/nope", method: .HEAD).status == 404)
    }

    @Test func everyEndpointAnswersOverARealSocket() async throws {
        let (configuration, spare) = Self.fleet()
        let harness = try await ServeHarness(
            configuration: configuration, reload: { .rejected(diagnostics: ["checks.d/a.yaml:3:9: error: bad"]) })
        defer { Task { await harness.stop() } }

        try await harness.waitUntil("readiness") { try await harness.get("/readyz").status == 200 }
        // After a few ticks, every endpoint.
        try await harness.waitUntil("three runs of db") {
            let results = try await harness.get("/api/v1/checks/db/results?limit=3").json()["results"] as? [Any]
            let proxy = try await harness.get("/api/v1/checks/proxy/summary?window=24h").json()
            // Each check ticks on its own: proxy's third run may land after db's.
            return results?.count == 3 && ((proxy["counts"] as? [String: Int])?["fail"] ?? 0) >= 3
        }

        let status = try await harness.get("/api/v1/status").json()
        #expect(status["schema_version"] as? Int == 1)
        let checks = try #require(status["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["db", "proxy", "claude", "gigachat", "spare", "report"])
        for check in checks {
            #expect(check["interval_ms"] as? Int == 100)
            #expect(check["last_run_at"] is String)
            #expect(check["uptime_24h"] != nil)
        }
        let byName: [String: [String: Any]] = Dictionary(
            checks.map { (($0["name"] as? String) ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["spare"]?["status"] as? String == "skipped")
        #expect(byName["spare"]?["message"] as? String == "not needed: gigachat ok")
        #expect(byName["report"]?["message"] as? String == "not run: dependency 'proxy' did not pass")
        #expect(byName["db"]?["uptime_24h"] as? Double == 1)
        #expect(byName["proxy"]?["uptime_24h"] as? Double == 0)
        let group = try #require((status["groups"] as? [[String: Any]])?.first)
        #expect(group["policy"] as? String == "failover")
        #expect(group["carried_by"] as? String == "gigachat")
        #expect(group["status"] as? String == "warn")
        #expect(spare.callCount == 0, "a fallback that is not needed is never called")

        let results = try await harness.get("/api/v1/checks/db/results?limit=3").json()
        #expect(results["check"] as? String == "db")
        let times = try #require(results["results"] as? [[String: Any]]).compactMap { $0["at"] as? String }
        #expect(times == times.sorted(by: >), "newest first")
        #expect(try await harness.get("/api/v1/checks/db/results?limit=zero").status == 400)

        let summary = try await harness.get("/api/v1/checks/proxy/summary?window=24h").json()
        #expect(summary["window"] as? String == "24h")
        #expect(summary["uptime"] as? Double == 0)
        let counts = try #require(summary["counts"] as? [String: Int])
        #expect(counts["fail"]! >= 3 && counts["ok"] == 0)
        let latency = try #require(summary["latency_ms"] as? [String: Any])
        #expect(latency["p50"] is Double && latency["p99"] is Double)
        #expect(try await harness.get("/api/v1/checks/proxy/summary?window=30d").status == 200)
        #expect(try await harness.get("/api/v1/checks/proxy/summary?window=5d").status == 400)

        let events = try #require(
            try await harness.get("/api/v1/events?check=proxy").json()["events"] as? [[String: Any]])
        #expect(events.first?["to"] as? String == "fail")
        #expect(events.first?["from"] is NSNull)

        for path in [
            "/api/v1/checks/nope/results", "/api/v1/checks/nope/summary", "/api/v1/events?check=nope",
            "/badge/nope.svg",
        ] {
            let reply = try await harness.get(path)
            #expect(reply.status == 404, "\(path)")
            #expect(try reply.json()["error"] as? String == "no check named 'nope'", "\(path)")
        }

        let metrics = try await harness.get("/metrics").body
        let samples = try PrometheusText.parse(metrics)
        #expect(samples["healthrun_check_up{check=\"db\",type=\"scripted\",group=\"\"}"] == 1)
        #expect(samples["healthrun_check_up{check=\"proxy\",type=\"scripted\",group=\"\"}"] == 0)
        #expect(samples["healthrun_check_uptime_ratio{check=\"db\",window=\"24h\"}"] == 1)
        #expect(samples["healthrun_check_uptime_ratio{check=\"proxy\",window=\"90d\"}"] == 0)
        #expect(samples["healthrun_check_uptime_ratio{check=\"db\",window=\"7d\"}"] == 1)
        #expect(samples["healthrun_serve_stored_results_total"]! >= 6)
        #expect(samples["healthrun_serve_db_size_bytes"]! > 0)
        #expect(samples["healthrun_serve_scheduler_lag_seconds_count"]! >= 6)

        let page = try await harness.get("/")
        // The one-shot verdict's rules: report is critical and was not verified (its dependency
        // failed); claude fails but gigachat carries its group.
        #expect(page.body.contains("<title>2 blocking failures: proxy, report</title>"), "\(page.body.prefix(600))")
        #expect(page.body.contains("<p class=\"why\">not blocking: claude (carried by gigachat)</p>"))
        #expect(page.body.contains("<span class=\"tag\" title=\"carried by gigachat\">carried</span>"))
        // Each row: the last runs as a strip, newest last, each with its time and message.
        #expect(page.body.contains("<div class=\"recent\" tabindex=\"0\" role=\"img\" aria-label=\"last "))
        #expect(page.body.contains("failed; last failure "))
        #expect(page.body.contains(" connection refused to 127.0.0.1:1\"></i>"))
        #expect(page.body.contains("<i class=\"f\" title=\""))
        #expect(page.body.contains("checked <time class=\"ago\" datetime=\""))
        // A history of less than a day shows no 90-day strip.
        #expect(!page.body.contains("class=\"strip\""))
        #expect(page.header("content-type")?.hasPrefix("text/html") == true)
        #expect(page.header("content-encoding") == nil)
        // What a browser and Prometheus send: the page and /metrics come gzipped.
        for path in ["/", "/metrics"] {
            let packed = try await harness.get(path, acceptEncoding: "gzip, deflate, br")
            #expect(packed.header("content-encoding") == "gzip", "\(path)")
            var bytes = packed.bytes
            let text = String(buffer: try bytes.decompress(with: .gzip()))
            #expect(text.contains(path == "/" ? "2 blocking failures" : "healthrun_check_up{check=\"db\""), "\(path)")
        }
        let checkPage = try await harness.get("/checks/proxy").body
        #expect(checkPage.contains("proxy is fail"))
        // What the check is and how it is judged.
        #expect(checkPage.contains("<tr><th scope=\"row\">Type</th><td><code>scripted</code></td></tr>"))
        #expect(checkPage.contains("<tr><th scope=\"row\">Schedule</th><td>every 100ms, timeout 2s</td></tr>"))
        #expect(checkPage.contains("<th scope=\"row\">Next run</th><td><time datetime=\""))
        #expect(
            checkPage.contains(
                "<li class=\"fail\"><span class=\"badge fail\">✖</span> the scripted check's own verdict: fail — connection refused to 127.0.0.1:1</li>"
            ))
        let claudePage = try await harness.get("/checks/claude").body
        #expect(
            claudePage.contains("<b>llm</b> (failover): primary of 3; group warn, carried by gigachat"),
            "\(claudePage.prefix(3000))")
        #expect(checkPage.contains("<svg class=\"chart\""))
        let badge = try await harness.get("/badge/db.svg")
        #expect(badge.body.contains("db: ok"))
        #expect(try await harness.get("/healthz").body == "ok\n")

        let reload = try await harness.get("/-/reload", method: .POST)
        #expect(reload.status == 400)
        #expect(try reload.json()["diagnostics"] as? [String] == ["checks.d/a.yaml:3:9: error: bad"])
    }

    @Test func theStreamCarriesResultsAndChanges() async throws {
        // A check that changes state on every run, so a change comes after any subscription.
        let flapping = (0..<200).map { $0 % 2 == 0 ? CheckOutcome.ok("up") : .fail("down") }
        let (check, _) = ServeHarness.check("flaky", flapping)
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [check]))
        defer { Task { await harness.stop() } }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/api/v1/stream")
        request.headers.add(name: "Accept-Encoding", value: "gzip")  // a stream is never compressed
        let response = try await rawClient.execute(request, timeout: .seconds(5))
        #expect(response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.contains("event: change"), text.contains("event: result") { break }
            if text.utf8.count > 100_000 { break }  // the expectations below then fail
        }
        #expect(text.contains("event: change"))
        let frame = try #require(text.components(separatedBy: "\n\n").first { $0.hasPrefix("event: result") })
        let data = try #require(frame.split(separator: "\n").first { $0.hasPrefix("data: ") }).dropFirst(6)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        #expect(object["check"] is String && object["status"] is String && object["at"] is String)
    }

    @Test func readinessWaitsForEveryCheck() async throws {
        let (slow, _) = ServeHarness.check("slow", [.ok("ok")], interval: .seconds(3600))
        let (fast, _) = ServeHarness.check("fast", [.ok("ok")])
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [slow, fast]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("fast ran") {
            try await harness.get("/api/v1/checks/fast/results").body.contains("\"ok\"")
        }
        // 'slow' is due somewhere in its hour: not ready until then.
        if harness.runtime.state.latest("slow") == nil {
            #expect(try await harness.get("/readyz").status == 503)
        }
    }
}

/// A strict enough reader of the Prometheus text format for the tests: every non-comment line
/// is `name{labels} value`, every family has HELP and TYPE before its samples.
enum PrometheusText {
    struct Invalid: Error { var line: String }

    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        var typed: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                typed.insert(String(line.split(separator: " ")[2]))
                continue
            }
            if line.hasPrefix("# HELP ") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw Invalid(line: String(line))
            }
            let series = String(line[..<space])
            let name = String(series.prefix { $0 != "{" })
            let family = name.hasSuffix("_count") ? String(name.dropLast(6)) : name
            guard typed.contains(family), samples[series] == nil else { throw Invalid(line: String(line)) }
            samples[series] = value
        }
        return samples
    }
}
