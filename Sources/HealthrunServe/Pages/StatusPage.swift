import Foundation
import HealthrunCore
import HealthrunReporters

/// The live status page (`GET /`): self-contained HTML (inline CSS, no external resources),
/// readable without JavaScript; a few lines of inline script apply Server-Sent Events.
enum StatusPage {

    /// The line read from across the room.
    static func headline(_ report: RunReport, ready: Bool) -> (text: String, status: CheckStatus) {
        let total = report.checks.count
        let failing = report.checks.filter { $0.status == .fail }.map(\.name)
        let warning = report.checks.filter { $0.status == .warn }.count
        if !failing.isEmpty {
            let shown = failing.prefix(5).joined(separator: ", ") + (failing.count > 5 ? ", …" : "")
            return ("\(failing.count) of \(total) failing — \(shown)", .fail)
        }
        if !ready { return ("Waiting for first results (\(total) checks)", .skipped) }
        let noun = total == 1 ? "check" : "checks"
        if warning > 0 { return ("All \(total) \(noun) passing, \(warning) with warnings", .warn) }
        return ("All \(total) \(noun) passing", .ok)
    }

    static func render(_ state: LiveState, now: Int64) -> String {
        let report = state.report(now: Date(unixMilliseconds: now))
        let (headline, status) = headline(report, ready: state.isReady)
        let e = Escaping.html
        var html =
            head(title: headline, css: css) + """
                <header class="verdict \(status.rawValue)" id="verdict"><h1><span aria-hidden="true">\(status.symbol)</span> \(e(headline))</h1>
                <p class="meta">Updated <time id="updated">\(APIDocuments.time(now))</time> · <a href="/api/v1/status">JSON</a> · <a href="/metrics">metrics</a></p></header>
                <main>

                """
        let groupMembers = Set(report.groups.flatMap(\.members))
        let attention = report.checks.filter {
            ($0.status == .fail || $0.status == .warn) && !groupMembers.contains($0.name)
        }
        let rest = report.checks.filter { $0.status != .fail && $0.status != .warn && !groupMembers.contains($0.name) }
        if !attention.isEmpty {
            html += "<h2>Needs attention</h2>\n" + table(attention, state: state, now: now)
        }
        if !report.groups.isEmpty {
            html += "<h2>Groups</h2>\n"
            let byName = Dictionary(report.checks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let groups = report.groups.sorted { $0.status.severity > $1.status.severity }
            for group in groups {
                let carrier = group.carriedBy.map { " · carried by <b>\(e($0))</b>" } ?? ""
                html += """
                    <section class="group \(group.status.rawValue)"><h3><span class="badge \(group.status.rawValue)">\(group.status.symbol) \(group.status.rawValue)</span> \(e(group.name)) <small>\(e(group.policy.rawValue))\(carrier)</small></h3>
                    \(table(group.members.compactMap { byName[$0] }, state: state, now: now))</section>

                    """
            }
        }
        if !rest.isEmpty {
            html += "<h2>\(attention.isEmpty && report.groups.isEmpty ? "Checks" : "Other checks")</h2>\n"
            html += table(rest, state: state, now: now)
        }
        html += UsageSection.render(report.checks)
        html += """
            </main>
            <footer>healthrun \(healthrunVersion) · 90-day strip: green ≥ 99.9 %, yellow ≥ 99 %, orange ≥ 95 %, red below, grey no data</footer>
            <script>\(script)</script>
            </body>
            </html>

            """
        return html
    }

    /// The page for `/checks/NAME` when no check has that name.
    static func notFound(_ name: String) -> String {
        head(title: "no check named \(name)", css: css)
            + """
            <p class="meta"><a href="/">← all checks</a></p>
            <main><h1>No check named “\(Escaping.html(name))”</h1>
            <p>It is not in the running checks.d (it may have been renamed or removed by a reload).</p></main>
            </body>
            </html>

            """
    }

    /// The start of a page, up to and including `<body>`; `title` is escaped here.
    static func head(title: String, css: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Escaping.html(title))</title>
        <style>\(css)</style>
        </head>
        <body>

        """
    }

    static func table(_ results: [CheckResult], state: LiveState, now: Int64) -> String {
        let e = Escaping.html
        var rows = """
            <table><thead><tr><th>Status</th><th>Check</th><th>Latency</th><th>24 h</th><th>p95</th><th>90 days</th></tr></thead><tbody>

            """
        for result in results {
            let rollup = state.recentRollup(result.name, now: now)
            let uptime = rollup.uptime.map { String(format: "%.2f %%", $0 * 100) } ?? "–"
            let p95 =
                rollup.latency.quantile(0.95).map { "≤ " + RunReport.formatMilliseconds(.milliseconds($0)) } ?? "–"
            let latency = result.status == .skipped ? "–" : RunReport.formatMilliseconds(result.duration)
            rows += """
                <tr id="c-\(e(result.name))" class="\(result.status.rawValue)"><td><span class="badge \(result.status.rawValue)">\(result.status.symbol) \(result.status.rawValue)</span></td><td><a href="/checks/\(e(result.name))">\(e(result.name))</a><div class="msg">\(e(result.message))</div></td><td class="lat">\(latency)</td><td>\(uptime)</td><td>\(p95)</td><td><div class="strip" style="background:\(strip(state.dailyUptime(result.name, now: now)))"></div></td></tr>

                """
        }
        return rows + "</tbody></table>\n"
    }

    static func colour(_ uptime: Double?) -> String {
        guard let uptime else { return "#8c959f55" }
        if uptime >= 0.999 { return "#2da44e" }
        if uptime >= 0.99 { return "#bf8700" }
        if uptime >= 0.95 { return "#e16f24" }
        return "#cf222e"
    }

    /// The 90-day strip as one CSS gradient with a stop pair per run of equal colour: a few
    /// dozen bytes per check instead of 90 elements.
    static func strip(_ days: [Double?]) -> String {
        guard !days.isEmpty else { return "none" }
        var stops: [String] = []
        var start = 0
        let width = 100.0 / Double(days.count)
        for index in 1...days.count {
            if index == days.count || colour(days[index]) != colour(days[start]) {
                let from = (Double(start) * width * 100).rounded() / 100
                let to = (Double(index) * width * 100).rounded() / 100
                stops.append("\(colour(days[start])) \(from)% \(to)%")
                start = index
            }
        }
        return "linear-gradient(90deg,\(stops.joined(separator: ",")))"
    }

    static let css = """
        :root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d8dee4;--ok:#1a7f37;--warn:#9a6700;--fail:#cf222e;--skipped:#6e7781;--okbg:#dafbe1;--warnbg:#fff8c5;--failbg:#ffebe9;--skippedbg:#eaeef2}
        @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--ok:#3fb950;--warn:#d29922;--fail:#f85149;--skipped:#9198a1;--okbg:#12261e;--warnbg:#272115;--failbg:#2d1214;--skippedbg:#21262d}}
        *{box-sizing:border-box}body{margin:0 auto;max-width:72rem;padding:0 1rem;font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}a{color:inherit}
        .verdict{border-left:.5rem solid var(--skipped);margin-top:1rem;padding:.6rem 1rem}.verdict.ok{border-color:var(--ok);background:var(--okbg)}.verdict.warn{border-color:var(--warn);background:var(--warnbg)}.verdict.fail{border-color:var(--fail);background:var(--failbg)}
        h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .3rem}.meta,footer,small,.msg{color:var(--muted)}footer{margin:2rem 0;font-size:.8rem}
        table{width:100%;border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}th{font-size:.75rem;text-transform:uppercase;color:var(--muted)}
        .badge{font-weight:600;white-space:nowrap}.badge.ok{color:var(--ok)}.badge.warn{color:var(--warn)}.badge.fail{color:var(--fail)}.badge.skipped{color:var(--skipped)}
        .msg{font-size:.85rem;word-break:break-word}.strip{width:12rem;max-width:30vw;height:1.1rem;border-radius:.2rem}
        @media (max-width:40rem){th:nth-child(5),td:nth-child(5){display:none}}
        table.usage{margin-bottom:1rem}table.usage td{font-variant-numeric:tabular-nums}
        """

    /// Applies results as they arrive; a change of state reloads the page (debounced).
    static let script = """
        if(window.EventSource){var s=new EventSource('/api/v1/stream'),t=null;document.body.setAttribute('data-live','on');
        s.addEventListener('result',function(m){var d=JSON.parse(m.data),r=document.getElementById('c-'+d.check);
        if(r){var l=r.querySelector('.lat');if(l)l.textContent=d.status==='skipped'?'–':d.duration_ms+' ms';}
        document.getElementById('updated').textContent=d.at;});
        s.addEventListener('change',function(){if(!t)t=setTimeout(function(){location.reload();},1000);});}
        """
}
