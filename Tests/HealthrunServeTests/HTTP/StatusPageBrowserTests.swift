import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

/// The live page in headless Chromium (`.ci/run` installs Debian's `chromium`).
@Suite(.serialized) struct StatusPageBrowserTests {
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
        #expect(dom.contains("<title>1 blocking failure: postgres</title>"), "an injected script changed the title")
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
        #expect(dom.contains("<div class=\"recent\""), "the strip of recent runs")
        #expect(!dom.contains("class=\"strip\""), "no 90-day strip before a day of history")
        #expect(dom.contains("data-live=\"on\""), "the page's own script ran")
        #expect(dom.contains(" s ago</time>"), "relative times were written by the script")

        // A phone (390 px): rows become cards and nothing scrolls sideways.
        let phone = try await Chromium.evaluate(
            """
            JSON.stringify({width: document.documentElement.scrollWidth, viewport: window.innerWidth,
              row: getComputedStyle(document.querySelector('table.checks tr')).display,
              head: getComputedStyle(document.querySelector('table.checks thead')).display})
            """, in: "http://127.0.0.1:\(harness.port)/", after: .seconds(1), width: 390, height: 844)
        let layout = try #require(try JSONSerialization.jsonObject(with: Data(phone.utf8)) as? [String: Any])
        #expect(layout["viewport"] as? Int == 390, "\(phone)")
        #expect((layout["width"] as? Int ?? 9999) <= 390, "the page is wider than the phone: \(phone)")
        #expect(layout["row"] as? String == "block" && layout["head"] as? String == "none", "\(phone)")

        // The screenshot step: a person can look at it (the path is printed); the test checks
        // that Chromium rendered something of the page's size.
        let png = NSTemporaryDirectory() + "healthrun-serve-\(UUID().uuidString).png"
        try await Chromium.screenshot(of: "http://127.0.0.1:\(harness.port)/", to: png)
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(image.count > 10_000, "more than a blank page")
        let phonePNG = NSTemporaryDirectory() + "healthrun-serve-phone-\(UUID().uuidString).png"
        try await Chromium.screenshot(of: "http://127.0.0.1:\(harness.port)/", to: phonePNG, width: 390, height: 844)
        print("status page screenshots: \(png) (desktop), \(phonePNG) (390 px)")
    }

    /// The check page: a chart per metric with axes in its unit and threshold lines, the latency
    /// chart, the window switch, live refresh from the event stream, and no injected script.
    @Test func theCheckPageChartsEveryMetricAndRunsNoInjectedScript() async throws {
        guard Chromium.path != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install chromium (.ci/run does)")
            return
        }
        let xss = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"
        let outcomes = (0..<400).map { run -> CheckOutcome in
            let step = Double(run)
            let metrics = [
                Metric("tokens", 1_000 + step * 10, unit: .tokens, labels: ["model": xss]),
                Metric("tokens", 500 + step * 5, unit: .tokens, labels: ["model": "opus"]),
                Metric("balance", 150_000 - step * 2_000, unit: .tokens),
            ]
            return CheckOutcome.ok("usage read", metrics: metrics)
        }
        var (usage, _) = ServeHarness.check("usage", outcomes, interval: .milliseconds(500))
        usage.thresholds = [Threshold(metric: "balance", warnBelow: 100_000, failBelow: 10_000)]
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [usage]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("two points of every series") {
            let series = try await harness.get("/api/v1/checks/usage/metrics").json()["series"] as? [[String: Any]]
            return series?.count == 3 && series!.allSatisfy { ($0["points"] as? [Any])?.count ?? 0 >= 2 }
        }

        let dom = try await Chromium.dumpDOM(of: "http://127.0.0.1:\(harness.port)/checks/usage", after: .seconds(3))
        #expect(dom.contains("<title>usage: ok</title>"), "an injected script changed the title")
        #expect(!dom.contains("pwned</title>") && !dom.contains("<img src=\"x\""))
        for metric in ["balance", "tokens"] {
            let section = try #require(
                dom.firstMatch(
                    of: try Regex("<section class=\"metric\" id=\"m-\(metric)\">(.*?)</section>").dotMatchesNewlines())?
                    .output[1].substring)
            #expect(section.contains("<polyline class=\"line s0\""), "\(metric) has a line")
            #expect(section.contains(">tokens</text>"), "\(metric)'s axis names its unit")
        }
        #expect(dom.contains("<polyline class=\"line s1\""), "tokens has a second series (model=opus)")
        #expect(dom.contains("class=\"rule warn\""), "balance's warn bound is drawn")
        #expect(dom.contains("model=&lt;img src=x"), "the hostile label is text")
        #expect(dom.contains(">ms</text>"), "the latency chart's axis is in ms")
        #expect(dom.contains("aria-current=\"page\">24h</a>"))
        #expect(dom.contains("data-live=\"on\""), "the page's script ran")
        #expect(dom.contains("data-refreshed=\""), "a result from the event stream refreshed the charts")

        let week = try await harness.get("/checks/usage?window=7d")
        #expect(week.status == 200)
        #expect(week.body.contains("aria-current=\"page\">7d</a>") && week.body.contains("hourly average and range"))
        let bad = try await harness.get("/checks/usage?window=1y")
        #expect(bad.status == 400 && bad.body.contains("use one of: 24h, 7d, 30d, 90d"))

        let png = NSTemporaryDirectory() + "healthrun-check-\(UUID().uuidString).png"
        try await Chromium.screenshot(of: "http://127.0.0.1:\(harness.port)/checks/usage", to: png, height: 1400)
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]) && image.count > 10_000)
        print("check page screenshot: \(png)")
    }

    /// The Usage section: tokens per model today and this month, cost, balances, the canaries'
    /// first token and headroom; and a usage check's page with its charts. Nothing injected runs.
    @Test func theUsageSectionAndAUsageCheckPage() async throws {
        guard Chromium.path != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install chromium (.ci/run does)")
            return
        }
        let xss = "<img src=x onerror=\"document.title='pwned'\">"
        func tokens(_ model: String, _ window: String, _ value: Double) -> Metric {
            Metric("tokens", value, unit: .tokens, labels: ["model": model, "type": "input", "window": window])
        }
        let spend: [Metric] = [
            Metric("cost_usd", 0.8, unit: .usd, labels: ["window": "today"]),
            Metric("cost_usd", 12.5, unit: .usd, labels: ["window": "month"]),
            tokens("claude-sonnet-4-5", "today", 120_000), tokens("claude-sonnet-4-5", "month", 2_400_000),
            tokens(xss, "today", 5), tokens(xss, "month", 50),
        ]
        var (account, _) = ServeHarness.check(
            "anthropic-usage", Array(repeating: .ok("this month 2.4M tokens, $12.5", metrics: spend), count: 50),
            interval: .milliseconds(200))
        account.thresholds = [Threshold(metric: "cost_usd", labels: ["window": "month"], warnAbove: 10)]
        let (balance, _) = ServeHarness.check(
            "gigachat-balance",
            [.ok("balance", metrics: [Metric("balance", 84_000, unit: .tokens, labels: ["service": "GigaChat"])])])
        let (canary, _) = ServeHarness.check(
            "claude-canary",
            [
                .ok(
                    "answered \"pong\"",
                    metrics: [
                        Metric("ttft_ms", 412, unit: .ms),
                        Metric("ratelimit_tokens_remaining_ratio", 0.9, unit: .ratio),
                        Metric("ratelimit_requests_remaining", 3999, unit: .count),
                    ])
            ])
        let harness = try await ServeHarness(configuration: LoadedConfiguration(checks: [account, balance, canary]))
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("readiness") { try await harness.get("/readyz").status == 200 }

        let dom = try await Chromium.dumpDOM(of: "http://127.0.0.1:\(harness.port)/")
        let section = try #require(dom.range(of: "id=\"usage\"")).lowerBound
        let usage = String(dom[section...])
        #expect(
            usage.contains("<td>claude-sonnet-4-5</td><td>120,000 tokens</td><td>2.4M tokens</td>"),
            "\(usage.prefix(2000))")
        #expect(usage.contains("<td>$0.8</td><td>$12.5</td>"), "the account's cost today and this month")
        #expect(usage.contains("GigaChat 84,000 tokens"))
        #expect(usage.contains("<td>412 ms</td><td>90%</td><td>3,999</td>"), "the canary's first token and headroom")
        #expect(usage.contains("&lt;img src=x"), "a hostile model name is text")
        #expect(!dom.contains("pwned</title>") && !dom.contains("<img src=\"x\""))

        try await harness.waitUntil("two stored points") {
            let series = try await harness.get("/api/v1/checks/anthropic-usage/metrics?metric=cost_usd").json()[
                "series"]
            return ((series as? [[String: Any]])?.first?["points"] as? [Any])?.count ?? 0 >= 2
        }
        let page = try await Chromium.dumpDOM(of: "http://127.0.0.1:\(harness.port)/checks/anthropic-usage")
        for metric in ["cost_usd", "tokens"] {
            #expect(page.contains("id=\"m-\(metric)\""), "\(metric) is charted")
        }
        #expect(page.contains("class=\"rule warn\""), "the month's cost bound is drawn")
        #expect(page.contains("<svg class=\"chart bars\""), "tokens per day as bars by model")
        #expect(!page.contains("pwned</title>") && !page.contains("<img src=\"x\""))
    }
}
