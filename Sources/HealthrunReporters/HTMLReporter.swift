public import HealthrunCore

/// One self-contained HTML file: inline CSS, no external fonts, scripts or images; readable
/// without JavaScript (a few lines of inline script add status filters). Every value from
/// outside is escaped; status is shown by word and symbol as well as colour.
public struct HTMLReporter: Reporter {
    public let formatName = "html"
    public let defaultPath = "healthrun-report.html"

    /// Creates the reporter.
    public init() {}

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        let summary = report.summary
        let slowest = max(report.checks.map(\.duration.milliseconds).max() ?? 0, 0.001)
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>healthrun: \(report.status.rawValue) — \(summary.total) checks</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header class="verdict \(report.status.rawValue)" id="verdict">
            <h1><span class="symbol" aria-hidden="true">\(report.status.symbol)</span> \(Self.verdictText(report))</h1>
            <p class="counts">
            """
        for status in CheckStatus.allCases {
            let count = report.checks.filter { $0.status == status }.count
            html +=
                #"<span class="count \#(status.rawValue)">\#(status.symbol) \#(count) \#(status.rawValue)</span> "#
        }
        html += """
            </p>
            <p class="meta">Ran \(Escaping.html(Timestamp.iso8601(report.startedAt))) for \(Escaping.html(RunReport.formatMilliseconds(report.duration))) · \(Escaping.html(report.tool.name)) \(Escaping.html(report.tool.version))\(report.cancelled ? " · <strong>cancelled</strong>" : "")</p>
            </header>
            <main>

            """
        if !report.groups.isEmpty {
            html += """
                <section><h2>Groups</h2>
                <table class="groups"><thead><tr><th>Status</th><th>Group</th><th>Policy</th><th>Carried by</th><th>Members</th></tr></thead><tbody>

                """
            for group in report.groups {
                html +=
                    "<tr class=\"\(group.status.rawValue)\"><td>\(Self.badge(group.status))</td><td>\(Escaping.html(group.name))</td>"
                html += "<td>\(group.policy.rawValue)</td><td>\(Escaping.html(group.carriedBy ?? "—"))</td>"
                html +=
                    "<td>\(Escaping.html(group.members.joined(separator: ", ")))<div class=\"message\">\(Escaping.html(group.message))</div></td></tr>\n"
            }
            html += "</tbody></table></section>\n"
        }
        html += """
            <section><h2>Checks</h2>
            <div class="filters" hidden>Show: <button data-filter="all" aria-pressed="true">all</button> <button data-filter="fail">fail</button> <button data-filter="warn">warn</button> <button data-filter="ok">ok</button> <button data-filter="skipped">skipped</button></div>
            <table class="checks" id="checks"><thead><tr><th>Status</th><th>Check</th><th>Type</th><th>Latency</th><th>Message</th></tr></thead><tbody>

            """
        for check in report.checks {
            let width =
                check.status == .skipped ? 0 : max(1, Int((check.duration.milliseconds / slowest * 100).rounded()))
            let latency = check.status == .skipped ? "—" : RunReport.formatMilliseconds(check.duration)
            html +=
                "<tr class=\"check \(check.status.rawValue)\" data-status=\"\(check.status.rawValue)\" id=\"check-\(Escaping.html(check.name))\">"
            html += "<td>\(Self.badge(check.status))</td>"
            html +=
                "<td class=\"name\">\(Escaping.html(check.name))\(check.critical ? "" : " <span class=\"tag\">not critical</span>")\(Self.target(check))</td>"
            html += "<td>\(Escaping.html(check.type))</td>"
            html +=
                "<td class=\"latency\">\(Escaping.html(latency))<span class=\"bar\" style=\"width:\(width)%\"></span></td>"
            html += "<td class=\"message\">\(Escaping.html(check.message))<details><summary>details</summary><dl>"
            html += "<dt>attempts</dt><dd>\(check.attempts)</dd>"
            html += "<dt>source</dt><dd>\(Escaping.html(check.source.fileAndLine))</dd>"
            if let group = check.group { html += "<dt>group</dt><dd>\(Escaping.html(group))</dd>" }
            if !check.tags.isEmpty {
                html += "<dt>tags</dt><dd>\(Escaping.html(check.tags.joined(separator: ", ")))</dd>"
            }
            for (key, value) in check.details.sorted(by: { $0.key < $1.key }) {
                html += "<dt>\(Escaping.html(key))</dt><dd>\(Escaping.html(value.description))</dd>"
            }
            for metric in check.metrics {
                // A breached threshold is marked by word and colour.
                let breach = metric.breach.map {
                    " <span class=\"badge \($0.rawValue)\">\($0.rawValue) threshold</span>"
                }
                html +=
                    "<dt class=\"metric\">\(Escaping.html(metric.seriesName))</dt><dd class=\"metric\(metric.breach.map { " breach-\($0.rawValue)" } ?? "")\">\(Escaping.html(metric.formattedValue))\(breach ?? "")</dd>"
            }
            html += "</dl></details></td></tr>\n"
        }
        html += """
            </tbody></table></section>
            </main>
            <footer><p>\(Escaping.html(report.summaryLine))</p></footer>
            <script>\(Self.script)</script>
            </body>
            </html>

            """
        return Array(html.utf8)
    }

    static func badge(_ status: CheckStatus) -> String {
        "<span class=\"badge \(status.rawValue)\"><span aria-hidden=\"true\">\(status.symbol)</span> \(status.rawValue.uppercased())</span>"
    }

    static func verdictText(_ report: RunReport) -> String {
        let failing = report.checks.filter { $0.status == .fail }.map(\.name)
        let total = report.checks.count
        switch report.status {
        case .ok: return "All \(total) checks passing"
        case .fail:
            return
                "Failing — \(failing.count) of \(total) checks failed: \(Escaping.html(failing.prefix(5).joined(separator: ", ")))\(failing.count > 5 ? ", …" : "")"
        default:
            return failing.isEmpty
                ? "Passing with warnings"
                : "Passing — \(Escaping.html(failing.prefix(5).joined(separator: ", "))) failed but did not fail the run"
        }
    }

    static let css = """
        :root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d8dee4;--ok:#1a7f37;--warn:#9a6700;--fail:#cf222e;--skipped:#6e7781;--okbg:#dafbe1;--warnbg:#fff8c5;--failbg:#ffebe9;--skippedbg:#eaeef2}
        @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--ok:#3fb950;--warn:#d29922;--fail:#f85149;--skipped:#9198a1;--okbg:#12261e;--warnbg:#272115;--failbg:#2d1214;--skippedbg:#21262d}}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
        header,main,footer{max-width:1200px;margin:0 auto;padding:1rem}
        .verdict{border-left:.5rem solid var(--skipped);margin-top:1rem}.verdict.ok{border-color:var(--ok);background:var(--okbg)}.verdict.warn{border-color:var(--warn);background:var(--warnbg)}.verdict.fail{border-color:var(--fail);background:var(--failbg)}
        h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}.meta,.message dl,footer{color:var(--muted)}
        .count{margin-right:1rem;font-weight:600;white-space:nowrap}.count.ok,.badge.ok{color:var(--ok)}.count.warn,.badge.warn{color:var(--warn)}.count.fail,.badge.fail{color:var(--fail)}.count.skipped,.badge.skipped{color:var(--skipped)}
        table{width:100%;border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.45rem .5rem;border-bottom:1px solid var(--line)}th{font-size:.8rem;text-transform:uppercase;color:var(--muted)}
        .badge{font-weight:700;white-space:nowrap}.name{font-weight:600;word-break:break-all}.message{word-break:break-word}
        .latency{white-space:nowrap;min-width:6rem}.bar{display:block;height:.3rem;background:var(--muted);border-radius:.15rem;margin-top:.2rem;opacity:.6}
        .tag{display:inline-block;white-space:nowrap;word-break:normal;font-size:.75rem;font-weight:400;color:var(--muted);border:1px solid var(--line);border-radius:.6rem;padding:0 .4rem}
        .target{color:var(--muted);font-size:.8rem;word-break:break-all}details summary{cursor:pointer;color:var(--muted);font-size:.85rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0}dt{font-weight:600}dd{margin:0;word-break:break-word}
        .filters button{font:inherit;border:1px solid var(--line);background:none;color:inherit;border-radius:.3rem;padding:.1rem .5rem;cursor:pointer}.filters button[aria-pressed=true]{background:var(--line)}
        @media (max-width:640px){thead{display:none}tr,td{display:block;border:0}tr.check{border-bottom:1px solid var(--line);padding:.4rem 0}td{padding:.1rem 0}}
        """

    static let script = """
        (function(){var f=document.querySelector('.filters');if(!f)return;f.hidden=false;
        f.addEventListener('click',function(e){var b=e.target.closest('button');if(!b)return;var s=b.getAttribute('data-filter');
        f.querySelectorAll('button').forEach(function(x){x.setAttribute('aria-pressed',x===b?'true':'false')});
        document.querySelectorAll('tr.check').forEach(function(r){r.hidden=!(s==='all'||r.getAttribute('data-status')===s)})})})();
        """

    /// The check's target under its name, small.
    static func target(_ check: CheckResult) -> String {
        guard case .string(let target)? = check.details["target"] else { return "" }
        return "<div class=\"target\">\(Escaping.html(target))</div>"
    }
}
