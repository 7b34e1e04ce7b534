import Foundation
import HealthrunCore
import HealthrunReporters

/// `GET /checks/{name}[?window=24h|7d|30d|90d]`: one check's uptime and percentiles, its
/// latency and every metric it reports as charts over the window, the 90-day strip and recent
/// state changes. Charts refresh when the event stream reports a result of the check.
enum CheckPage {
    struct Input {
        var result: CheckResult
        var definition: CheckDefinition
        var window: String
        var hours: Int
        /// Latency over the window: each run (24 h) or each hour's median with its fastest and
        /// slowest bucket (longer windows).
        var latency: [MetricSeries.Point]
        /// Failures (24 h) or hours with a failure.
        var failures: [Int64]
        var metrics: [MetricSeries]
        /// Tokens each day by model: the last value of each day of `tokens{window=today}`.
        var dailyTokens: [BarChart.Part] = []
        var uptime: [(window: String, rollup: Rollup)]
        var days: [Double?]
        var changes: [StateChange]
        var now: Int64
        /// The check's interval in serve.
        var interval: Duration = .seconds(60)
        /// When it last ran (Unix ms).
        var lastRunAt: Int64?
        /// Its failover or other group as judged now, if it is in one.
        var group: GroupResult?
    }

    /// Reads what the page shows for `check` over `window` (a key of `ServeRoutes.windows`).
    static func load(
        _ runtime: ServeRuntime, check definition: CheckDefinition, window: String, hours: Int, now: Int64
    ) async throws -> Input {
        let name = definition.name
        let state = runtime.state
        let since = now - Int64(hours) * Resolution.hourly.rawValue
        var latency: [MetricSeries.Point] = []
        var failures: [Int64] = []
        if hours <= 24 {
            for stored in try await runtime.store.results(check: name, since: since) where stored.status != .skipped {
                latency.append(MetricSeries.Point(at: stored.at, value: stored.durationMs))
                if stored.status == .fail { failures.append(stored.at) }
            }
        } else {
            let buckets = try await runtime.store.rollups(check: name, resolution: .hourly, since: since)[name] ?? [:]
            for (bucket, rollup) in buckets.sorted(by: { $0.key < $1.key }) {
                guard let median = rollup.latency.quantile(0.5) else { continue }
                latency.append(
                    MetricSeries.Point(
                        at: bucket, value: median, min: rollup.latency.quantile(0), max: rollup.latency.quantile(1)))
                if rollup.fail > 0 { failures.append(bucket + Resolution.hourly.rawValue / 2) }
            }
        }
        var uptime: [(String, Rollup)] = []
        for (label, window) in [("24 h", 24), ("7 d", 168), ("30 d", 720), ("90 d", 2160)] {
            uptime.append((label, try await ServeRoutes.summary(runtime, check: name, hours: window, now: now)))
        }
        // A usage check's tokens per day: each series of `tokens{…, window=today}` ends a day at
        // that day's total. At least 7 days, so a day window still shows a week.
        var dailyTokens: [BarChart.Part] = []
        let latest = state.latest(name)
        for metric in latest?.metrics ?? [] where metric.name == "tokens" && metric.labels["window"] == "today" {
            let days = try await runtime.store.dailyLastValues(
                check: name, metric: "tokens", labels: metric.labels,
                since: now - Int64(max(hours, 168)) * Resolution.hourly.rawValue)
            for day in days {
                dailyTokens.append(
                    BarChart.Part(
                        group: metric.labels["model"] ?? "all", day: Resolution.daily.bucket(day.at), value: day.value))
            }
        }
        return Input(
            result: latest ?? Engine.skipped(definition, message: "no result yet"),
            definition: definition, window: window, hours: hours, latency: latency, failures: failures,
            metrics: try await runtime.store.metricSeries(
                check: name, since: since, resolution: hours > 24 ? .hourly : nil),
            dailyTokens: dailyTokens,
            uptime: uptime, days: state.dailyUptime(name, now: now),
            changes: try await runtime.store.events(check: name, limit: 20), now: now,
            interval: definition.interval(default: runtime.options.defaultInterval),
            lastRunAt: state.lastRunAt(name),
            group: definition.group.flatMap { state.group($0) })
    }

    static func render(_ input: Input) -> String {
        let e = Escaping.html
        let result = input.result
        let symbol = result.status.symbol
        var html =
            StatusPage.head(title: "\(result.name): \(result.status.rawValue)", css: StatusPage.css + css + Chart.css)
                + """
                <p class="meta"><a href="/">← all checks</a></p>
                <header class="verdict \(result.status.rawValue)" id="verdict"><h1>\(symbol) \(e(result.name)) is \(result.status.rawValue)</h1>
                <p class="msg">\(e(result.message))</p></header>
                <main data-check="\(e(result.name))">
                \(facts(input))
                <h2>Uptime and latency</h2>
                <table><thead><tr><th>Window</th><th>Uptime</th><th>Runs</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody>

                """
        for (window, rollup) in input.uptime {
            func quantile(_ q: Double) -> String {
                rollup.latency.quantile(q).map { "≤ " + RunReport.formatMilliseconds(.milliseconds($0)) } ?? "–"
            }
            let uptime = rollup.uptime.map { String(format: "%.3f %%", $0 * 100) } ?? "–"
            html +=
                "<tr><td>\(window)</td><td>\(uptime)</td><td>\(rollup.total)</td><td>\(quantile(0.5))</td><td>\(quantile(0.95))</td><td>\(quantile(0.99))</td></tr>\n"
        }
        html += "</tbody></table>\n" + charts(input)
        html += "<h2>90 days</h2>\n" + strip(input.days, now: input.now)
        html += "<h2>State changes</h2>\n"
        if input.changes.isEmpty {
            html += "<p class=\"meta\">None recorded.</p>\n"
        } else {
            html += "<table><thead><tr><th>When</th><th>From</th><th>To</th><th>Message</th></tr></thead><tbody>\n"
            for change in input.changes {
                html +=
                    "<tr><td>\(StatusPage.time(change.at))</td><td>\(change.from?.rawValue ?? "–")</td><td class=\"badge \(change.to.rawValue)\">\(change.to.rawValue)</td><td class=\"msg\">\(e(change.message))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html +=
            "</main>\n<footer>healthrun \(healthrunVersion)</footer>\n<script>\(script)</script>\n</body>\n</html>\n"
        return html
    }

    /// What the check is and how it is judged: type, target, schedule, group role, and each
    /// condition with whether the latest result meets it.
    static func facts(_ input: Input) -> String {
        let e = Escaping.html
        let definition = input.definition
        let result = input.result
        var rows: [(String, String)] = [("Type", "<code>\(e(definition.type))</code>")]
        if let target = StatusPage.targetText(result) { rows.append(("Target", "<code>\(e(target))</code>")) }
        rows.append(
            (
                "Schedule",
                "every \(DurationParser.format(input.interval)), timeout \(DurationParser.format(definition.timeout))"
            ))
        if let last = input.lastRunAt {
            rows.append(("Last run", StatusPage.time(last) + " (\(StatusPage.time(last, ago: true)))"))
            rows.append(("Next run", StatusPage.time(last + input.interval.wholeMilliseconds)))
        }
        if let group = input.group {
            let position = group.members.firstIndex(of: definition.name) ?? 0
            let role =
                group.policy == .failover
                ? (position == 0 ? "primary" : "fallback \(position)") + " of \(group.members.count)" : "member"
            let carried = group.carriedBy.map { ", carried by \(e($0))" } ?? ""
            rows.append(
                (
                    "Group",
                    "<b>\(e(group.name))</b> (\(group.policy.rawValue)): \(role); group \(group.status.rawValue)\(carried)"
                ))
        }
        if !definition.critical { rows.append(("Verdict", "not critical: a failure does not fail the run")) }
        if !definition.dependsOn.isEmpty {
            rows.append(
                (
                    "Depends on",
                    definition.dependsOn.map { "<a href=\"/checks/\(e($0))\">\(e($0))</a>" }.joined(separator: ", ")
                ))
        }
        var html = "<table class=\"facts\"><tbody>\n"
        for (key, value) in rows { html += "<tr><th scope=\"row\">\(key)</th><td>\(value)</td></tr>\n" }
        html += "</tbody></table>\n<h2>Conditions</h2>\n<ul class=\"conditions\">\n"
        func line(_ passed: Bool?, _ text: String) {
            let (mark, status) = passed.map { $0 ? ("✔", "ok") : ("✖", "fail") } ?? ("–", "skipped")
            html += "<li class=\"\(status)\"><span class=\"badge \(status)\">\(mark)</span> \(text)</li>\n"
        }
        let ran = result.status != .skipped
        line(
            ran ? result.status != .fail : nil,
            "the \(e(definition.type)) check's own verdict: \(result.status.rawValue)\(ran ? " — \(e(result.message))" : "")"
        )
        if let warn = definition.warnLatency {
            line(
                ran ? result.duration <= warn : nil,
                "latency at most \(RunReport.formatMilliseconds(warn)) (else warn)\(ran ? ": \(RunReport.formatMilliseconds(result.duration))" : "")"
            )
        }
        for threshold in definition.thresholds {
            let reported = result.metrics.filter { threshold.applies(to: $0) }
            var bounds: [String] = []
            if let value = threshold.warnBelow { bounds.append("warn below \(Metric.format(value, unit: nil))") }
            if let value = threshold.failBelow { bounds.append("fail below \(Metric.format(value, unit: nil))") }
            if let value = threshold.warnAbove { bounds.append("warn above \(Metric.format(value, unit: nil))") }
            if let value = threshold.failAbove { bounds.append("fail above \(Metric.format(value, unit: nil))") }
            let labels =
                threshold.labels.isEmpty
                ? ""
                : "{"
                    + threshold.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                    + "}"
            let values = reported.map { $0.summary }.joined(separator: ", ")
            let breaches = reported.compactMap { threshold.judge($0) }
            line(
                reported.isEmpty ? nil : breaches.isEmpty,
                "<code>\(e(threshold.metric + labels))</code>: \(bounds.joined(separator: ", "))"
                    + (reported.isEmpty ? " (not reported by the latest result)" : " — \(e(values))"))
        }
        return html + "</ul>\n"
    }

    /// The window switch, the latency chart and one chart per metric, in `#charts` (what the
    /// live script swaps).
    static func charts(_ input: Input) -> String {
        let e = Escaping.html
        let start = input.now - Int64(input.hours) * Resolution.hourly.rawValue
        var html = "<section id=\"charts\">\n<nav class=\"windows\" aria-label=\"window\">"
        for (window, _) in ServeRoutes.windows.sorted(by: { $0.value < $1.value }) {
            let current = window == input.window ? " aria-current=\"page\"" : ""
            html += "<a href=\"?window=\(window)\"\(current)>\(window)</a>"
        }
        let longWindow = input.hours > 24
        html += "</nav>\n<h2>Latency\(longWindow ? ", hourly median and range" : "")</h2>\n"
        var latencyRules: [Chart.Rule] = []
        if let warn = input.definition.warnLatency {
            latencyRules.append(
                Chart.Rule(
                    value: warn.milliseconds, status: .warn,
                    label: "warn > \(RunReport.formatMilliseconds(warn))"))
        }
        html += Chart(
            title: "latency", unit: .ms, start: start, end: input.now,
            lines: [Chart.Line(label: "", points: input.latency)], rules: latencyRules, marks: input.failures
        ).render()
        html += "<p class=\"meta\">Red lines are \(longWindow ? "hours with a failure" : "failures").</p>\n"
        let byName = Dictionary(grouping: input.metrics, by: \.name)
        if !byName.isEmpty {
            html += "<h2>Metrics\(longWindow ? ", hourly average and range" : "")</h2>\n"
        }
        for name in byName.keys.sorted() {
            let series = byName[name] ?? []
            let unit = series.first?.unit
            let latest = input.result.metrics.filter { $0.name == name }
            let breach =
                latest.compactMap(\.breach).max { $0.severity < $1.severity }.map {
                    " <span class=\"badge \($0.rawValue)\">\($0.symbol) \($0.rawValue)</span>"
                } ?? ""
            html +=
                "<section class=\"metric\" id=\"m-\(e(name))\"><h3>\(e(name))\(unit.map { " <small>\($0.rawValue)</small>" } ?? "")\(breach)</h3>\n"
            let lines = series.map { series in
                Chart.Line(
                    label: series.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                        separator: ", "),
                    points: series.points)
            }
            html += Chart(
                title: name, unit: unit, start: start, end: input.now, lines: lines,
                rules: Chart.rules(input.definition.thresholds, metric: name, unit: unit)
            ).render()
            if name == "tokens", !input.dailyTokens.isEmpty {
                html += "<h3>tokens per day <small>by model</small></h3>\n"
                html += BarChart(title: "tokens", unit: .tokens, parts: input.dailyTokens).render()
            }
            if name == "balance" {
                // When it runs out at the recent spend (serve's projection, balance_days_left).
                for projection in input.result.metrics where projection.name == "balance_days_left" {
                    let service = projection.labels["service"].map { e($0) + " " } ?? ""
                    let date = APIDocuments.time(input.now + Int64(projection.value * 86_400_000)).prefix(10)
                    html +=
                        "<p class=\"meta exhaustion\">\(service)runs out in about \(e(Metric.format(projection.value, unit: nil))) days at the last days' spend: around \(date).</p>\n"
                }
            }
            html += "</section>\n"
        }
        return html + "</section>\n"
    }

    /// Refreshes the verdict and the charts a moment after a result of `check` arrives (the
    /// store commits in batches). Parsed markup is inserted as nodes, so nothing in it runs.
    /// The live refresh: the same for every check (it reads the check's name from `<main>`), so
    /// the Content-Security-Policy allows it by its hash.
    static let script =
        StatusPage.timeScript + """
            if(window.EventSource&&window.DOMParser){var s=new EventSource('/api/v1/stream'),t=null,n=0,c=document.querySelector('main').getAttribute('data-check');document.body.setAttribute('data-live','on');
            s.addEventListener('result',function(m){var d=JSON.parse(m.data);if(d.check!==c||t)return;
            t=setTimeout(function(){fetch(location.href,{cache:'no-store'}).then(function(r){return r.text();}).then(function(h){
            var p=new DOMParser().parseFromString(h,'text/html');['verdict','charts'].forEach(function(id){var a=document.getElementById(id),b=p.getElementById(id);
            if(a&&b)a.replaceWith(document.importNode(b,true));});n+=1;document.body.setAttribute('data-refreshed',String(n));t=null;},function(){t=null;});},1500);});}})();
            """

    static func strip(_ days: [Double?], now: Int64) -> String {
        let today = Resolution.daily.bucket(now)
        var svg =
            "<svg class=\"days\" viewBox=\"0 0 \(days.count * 6) 24\" role=\"img\" aria-label=\"uptime per day, 90 days\">\n"
        for (index, uptime) in days.enumerated() {
            let day = today - Int64(days.count - 1 - index) * Resolution.daily.rawValue
            let label =
                String(APIDocuments.time(day).prefix(10)) + ": "
                + (uptime.map { String(format: "%.2f %%", $0 * 100) } ?? "no data")
            svg +=
                "<rect x=\"\(index * 6)\" width=\"5\" height=\"24\" fill=\"\(StatusPage.colour(uptime))\"><title>\(label)</title></rect>"
        }
        return svg + "\n</svg>\n"
    }

    static let css = """
        .facts{width:auto;margin:1rem 0}.facts th{text-transform:none;font-size:.85rem;padding-right:1.5rem}
        .conditions{list-style:none;padding:0}.conditions li{margin:.2rem 0}
        .days{width:100%;height:2rem}.windows{display:flex;gap:.4rem;margin:1.5rem 0 0}.windows a{padding:.15rem .6rem;border:1px solid var(--line);border-radius:1rem;text-decoration:none}.windows a[aria-current]{background:var(--fg);color:var(--bg)}
        """
}

/// `GET /badge/{name}.svg`: a two-part status badge.
enum Badge {
    static func render(name: String, status: CheckStatus?) -> String {
        let word = status?.rawValue ?? "unknown"
        let colour =
            switch status {
            case .ok: "#2da44e"
            case .warn: "#bf8700"
            case .fail: "#cf222e"
            default: "#8c959f"
            }
        let label = Escaping.html(name)
        let leftWidth = 10 + name.count * 7
        let rightWidth = 10 + word.count * 7
        let total = leftWidth + rightWidth
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="20" role="img" aria-label="\(label): \(word)"><title>\(label): \(word)</title><rect width="\(leftWidth)" height="20" fill="#555"/><rect x="\(leftWidth)" width="\(rightWidth)" height="20" fill="\(colour)"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="5" y="14">\(label)</text><text x="\(leftWidth + 5)" y="14">\(word)</text></g></svg>

            """
    }
}
