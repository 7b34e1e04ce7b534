import Foundation
import HealthrunCore
import HealthrunReporters

/// The live status page (`GET /`): self-contained HTML (inline CSS, no external resources),
/// readable without JavaScript; a few lines of inline script apply Server-Sent Events.
enum StatusPage {

    /// The line read from across the room, by the one-shot run's rules: what fails the verdict
    /// first (`1 blocking failure: blackhole-http`), and on a second line what fails without
    /// failing it (`not blocking: docs (not critical), primary-api (carried by gigachat)`).
    static func headline(_ report: RunReport, ready: Bool) -> (text: String, status: CheckStatus, why: String?) {
        let total = report.checks.count
        let notBlocking = report.notBlocking.map { item in
            switch item.reason {
            case .notCritical: "\(item.name) (not critical)"
            case .carried(let carrier): "\(item.name) (carried by \(carrier))"
            }
        }
        let why = notBlocking.isEmpty ? nil : "not blocking: " + notBlocking.joined(separator: ", ")
        let failures = report.failures
        if !failures.isEmpty {
            let names = failures.map { $0.isGroup ? "group \($0.name)" : $0.name }
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
            return ("\(names.count) blocking failure\(names.count == 1 ? "" : "s"): \(shown)", .fail, why)
        }
        if !ready { return ("Waiting for first results (\(total) checks)", .skipped, why) }
        let noun = total == 1 ? "check" : "checks"
        if !notBlocking.isEmpty {
            return ("Passing — \(notBlocking.count) of \(total) \(noun) failing, none blocking", .warn, why)
        }
        let warning = report.checks.filter { $0.status == .warn }.count
        if warning > 0 { return ("All \(total) \(noun) passing, \(warning) with warnings", .warn, why) }
        return ("All \(total) \(noun) passing", .ok, why)
    }

    static func render(_ state: LiveState, now: Int64) -> String {
        let report = state.report(now: Date(unixMilliseconds: now))
        let (headline, status, why) = headline(report, ready: state.isReady)
        let e = Escaping.html
        let context = RowContext(report: report)
        var html =
            head(title: headline, css: css) + """
                <header class="verdict \(status.rawValue)" id="verdict"><h1><span aria-hidden="true">\(status.symbol)</span> \(e(headline))</h1>
                \(why.map { "<p class=\"why\">\(e($0))</p>\n" } ?? "")<p class="meta">Updated \(time(now, id: "updated")) · <a href="/api/v1/status">JSON</a> · <a href="/metrics">metrics</a></p></header>
                <main>

                """
        let groupMembers = Set(report.groups.flatMap(\.members))
        let attention = report.checks.filter {
            ($0.status == .fail || $0.status == .warn) && !groupMembers.contains($0.name)
        }
        let rest = report.checks.filter { $0.status != .fail && $0.status != .warn && !groupMembers.contains($0.name) }
        if !attention.isEmpty {
            html += "<h2>Needs attention</h2>\n" + table(attention, state: state, now: now, context: context)
        }
        if !report.groups.isEmpty {
            html += "<h2>Groups</h2>\n"
            let byName = Dictionary(report.checks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let groups = report.groups.sorted { $0.status.severity > $1.status.severity }
            for group in groups {
                let carrier = group.carriedBy.map { " · carried by <b>\(e($0))</b>" } ?? ""
                html += """
                    <section class="group \(group.status.rawValue)"><h3><span class="badge \(group.status.rawValue)">\(group.status.symbol) \(group.status.rawValue)</span> \(e(group.name)) <small>\(e(group.policy.rawValue))\(carrier)</small></h3>
                    \(table(group.members.compactMap { byName[$0] }, state: state, now: now, context: context))</section>

                    """
            }
        }
        if !rest.isEmpty {
            html += "<h2>\(attention.isEmpty && report.groups.isEmpty ? "Checks" : "Other checks")</h2>\n"
            html += table(rest, state: state, now: now, context: context)
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

    /// What a row says about a check's place in the verdict.
    struct RowContext {
        /// Member → the member carrying its group, for members another one carries.
        var carriedBy: [String: String] = [:]

        init(report: RunReport) {
            for item in report.notBlocking {
                if case .carried(let carrier) = item.reason { carriedBy[item.name] = carrier }
            }
        }
    }

    /// A time as the page shows it: UTC in the text (readable without script), ISO in
    /// `datetime`; the script shows it in the browser's time zone, with UTC on hover.
    static func time(_ at: Int64, id: String? = nil, ago: Bool = false) -> String {
        let iso = APIDocuments.time(at)
        let text = String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
        let idAttribute = id.map { " id=\"\($0)\"" } ?? ""
        return "<time\(idAttribute)\(ago ? " class=\"ago\"" : "") datetime=\"\(iso)\" title=\"\(text)\">\(text)</time>"
    }

    static func table(_ results: [CheckResult], state: LiveState, now: Int64, context: RowContext) -> String {
        let e = Escaping.html
        var rows = """
            <table class="checks"><thead><tr><th>Status</th><th>Check</th><th>Latency</th><th>24 h</th><th>p95</th><th>History</th></tr></thead><tbody>

            """
        for result in results {
            let rollup = state.recentRollup(result.name, now: now)
            let uptime = rollup.uptime.map { String(format: "%.2f %%", $0 * 100) } ?? "–"
            let p95 =
                rollup.latency.quantile(0.95).map { "≤ " + RunReport.formatMilliseconds(.milliseconds($0)) } ?? "–"
            let latency = result.status == .skipped ? "–" : RunReport.formatMilliseconds(result.duration)
            var tags = ""
            if !result.critical { tags += " <span class=\"tag\">not critical</span>" }
            if let carrier = context.carriedBy[result.name] {
                tags += " <span class=\"tag\" title=\"carried by \(e(carrier))\">carried</span>"
            }
            let checked =
                state.lastRunAt(result.name).map { "<div class=\"meta\">checked \(time($0, ago: true))</div>" } ?? ""
            let days = state.dailyUptime(result.name, now: now)
            // A new install shows the recent runs, not a grey 90-day bar.
            let longStrip =
                days.compactMap { $0 }.count > 1
                ? "<div class=\"strip\" title=\"90 days\" style=\"background:\(strip(days))\"></div>" : ""
            rows += """
                <tr id="c-\(e(result.name))" class="\(result.status.rawValue)"><td class="st"><span class="badge \(result.status.rawValue)">\(result.status.symbol) \(result.status.rawValue)</span></td><td class="check"><a href="/checks/\(e(result.name))">\(e(result.name))</a>\(tags)\(target(result))<div class="msg">\(e(result.message))</div>\(checked)</td><td class="lat" data-label="latency">\(latency)</td><td data-label="24 h">\(uptime)</td><td class="p95" data-label="p95">\(p95)</td><td class="history">\(recent(state.recentRuns(result.name)))\(longStrip)</td></tr>

                """
        }
        return rows + "</tbody></table>\n"
    }

    /// What a check talks to, as the engine put it in the result: a URL without credentials,
    /// or host:port. The status row shows it under the name, the check page among its facts.
    static func targetText(_ result: CheckResult) -> String? {
        guard case .string(let target)? = result.details["target"] else { return nil }
        return target
    }

    /// The check's target under its name.
    static func target(_ result: CheckResult) -> String {
        targetText(result).map { "<div class=\"target\">\(Escaping.html($0))</div>" } ?? ""
    }

    /// The last runs, newest right, each with its time and message on hover; the strip itself
    /// takes focus and says what it holds (one tab stop per check, not thirty). Compact: a run
    /// that did not pass is a cell of its own; passes in a row share one.
    static func recent(_ runs: [LiveState.RecentRun]) -> String {
        guard !runs.isEmpty else { return "" }
        let failed = runs.filter { $0.status == .fail }
        var summary = "last \(runs.count) runs: \(runs.count - failed.count) passed or skipped, \(failed.count) failed"
        if let last = failed.last {
            summary +=
                "; last failure \(String(APIDocuments.time(last.at).dropFirst(11).prefix(8))) UTC: \(last.message ?? "")"
        }
        var html = "<div class=\"recent\" tabindex=\"0\" role=\"img\" aria-label=\"\(Escaping.html(summary))\">"
        func clock(_ at: Int64) -> String { String(APIDocuments.time(at).dropFirst(11).prefix(8)) }
        func latency(_ ms: Float) -> String { RunReport.formatMilliseconds(.milliseconds(Double(ms))) }
        var index = 0
        while index < runs.count {
            let run = runs[index]
            // Passes in a row are one cell as wide as they are many (a healthy fleet's strips
            // stay a few bytes): its title gives their times and latency range.
            var end = index + 1
            if run.status == .ok {
                while end < runs.count, runs[end].status == .ok { end += 1 }
            }
            if end - index > 1 {
                let passes = runs[index..<end]
                let fastest = passes.map(\.durationMs).min() ?? 0
                let slowest = passes.map(\.durationMs).max() ?? 0
                html +=
                    "<i style=\"flex:\(end - index)\" title=\"\(clock(run.at))–\(clock(runs[end - 1].at)) \(end - index) passed, \(latency(fastest))–\(latency(slowest))\"></i>"
            } else {
                let what = run.message.map { Escaping.html($0) } ?? latency(run.durationMs)
                let kind =
                    switch run.status {
                    case .ok: ""
                    case .warn: " class=\"w\""
                    case .fail: " class=\"f\""
                    case .skipped: " class=\"s\""
                    }
                html += "<i\(kind) title=\"\(clock(run.at)) \(what)\"></i>"
            }
            index = end
        }
        return html + "</div>"
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
        .msg{font-size:.85rem;overflow-wrap:break-word}.target{font:.8rem ui-monospace,monospace;color:var(--muted);overflow-wrap:anywhere}
        .why{margin:.2rem 0;color:var(--muted)}.check .meta{font-size:.8rem}td.lat,td[data-label]{white-space:nowrap}.tag{font-size:.7rem;border:1px solid var(--line);border-radius:.6rem;padding:0 .4rem;color:var(--muted);white-space:nowrap}
        .strip{width:12rem;max-width:30vw;height:.6rem;border-radius:.2rem;margin-top:.3rem}
        .recent{display:flex;gap:1px;width:12rem;max-width:30vw;height:1.1rem}.recent i{flex:1;border-radius:1px;background:var(--ok)}
        .recent i.w{background:var(--warn)}.recent i.f{background:var(--fail)}.recent i.s{background:var(--skipped);opacity:.5}.recent i:hover{outline:2px solid var(--fg)}.recent:focus{outline:2px solid var(--fg)}
        @media (max-width:40rem){th:nth-child(5),td:nth-child(5){display:none}}
        @media (max-width:480px){table.checks,table.checks tbody,table.checks tr,table.checks td{display:block;width:100%}table.checks thead{display:none}
        table.checks tr{border:1px solid var(--line);border-radius:.4rem;margin:.5rem 0;padding:.4rem .6rem}table.checks td{border:0;padding:.1rem 0}
        table.checks td[data-label]{display:inline-block;width:auto;margin-right:1rem;font-size:.85rem}table.checks td[data-label]::before{content:attr(data-label) " ";color:var(--muted)}
        table.checks td.p95{display:inline-block}.recent,.strip{width:100%;max-width:none}h1{font-size:1.3rem}}
        table.usage{margin-bottom:1rem}table.usage td{font-variant-numeric:tabular-nums}
        """

    /// Applies results as they arrive; a change of state reloads the page (debounced). Times
    /// show in the browser's time zone (UTC on hover), "checked … ago" counts up live.
    static let script =
        timeScript + """
            if(window.EventSource){var s=new EventSource('/api/v1/stream'),t=null;document.body.setAttribute('data-live','on');
            s.addEventListener('result',function(m){var d=JSON.parse(m.data),r=document.getElementById('c-'+d.check);
            if(r){var l=r.querySelector('.lat');if(l)l.textContent=d.status==='skipped'?'–':d.duration_ms+' ms';
            var a=r.querySelector('time.ago');if(a){a.setAttribute('datetime',d.at);ago(a);}}
            var u=document.getElementById('updated');u.setAttribute('datetime',d.at);local(u);});
            s.addEventListener('change',function(){if(!t)t=setTimeout(function(){location.reload();},1000);});}})();
            """

    /// The start of both pages' scripts (which close its function): `<time>`s in the browser's
    /// time zone, their UTC in the title; "… ago" counted up every 5 s.
    static let timeScript = """
        (function(){function ago(t){var s=Math.max(0,Math.round((Date.now()-Date.parse(t.getAttribute('datetime')))/1000));
        t.textContent=s<60?s+' s ago':s<3600?Math.floor(s/60)+' min ago':s<86400?Math.floor(s/3600)+' h ago':Math.floor(s/86400)+' d ago';}
        function local(t){t.textContent=new Date(t.getAttribute('datetime')).toLocaleString();}
        function tick(){document.querySelectorAll('time.ago').forEach(ago);}
        document.querySelectorAll('time:not(.ago)').forEach(local);tick();setInterval(tick,5000);

        """
}
