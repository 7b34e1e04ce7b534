import Foundation
import HealthrunCore
import HealthrunReporters

/// `GET /checks/{name}`: one check's 24 h latency chart, 90-day strip, uptime, percentiles and
/// recent state changes.
enum CheckPage {
    struct Input {
        var result: CheckResult
        var last24h: [StoredResult]
        var uptime: [(window: String, rollup: Rollup)]
        var days: [Double?]
        var changes: [StateChange]
        var now: Int64
    }

    /// The check's target under the message (a URL without credentials, or host:port).
    static func target(_ result: CheckResult) -> String {
        guard case .string(let target)? = result.details["target"] else { return "" }
        return "<p class=\"meta target\">target: <code>\(Escaping.html(target))</code></p>"
    }

    static func render(_ input: Input) -> String {
        let e = Escaping.html
        let result = input.result
        let symbol = result.status.symbol
        var html =
            StatusPage.head(title: "\(result.name): \(result.status.rawValue)", css: StatusPage.css + css) + """
                <p class="meta"><a href="/">← all checks</a></p>
                <header class="verdict \(result.status.rawValue)"><h1>\(symbol) \(e(result.name)) is \(result.status.rawValue)</h1>
                <p class="msg">\(e(result.message))</p>\(target(result))</header>
                <main>
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
        html += "</tbody></table>\n<h2>Latency, last 24 hours</h2>\n" + chart(input.last24h, now: input.now)
        html += "<h2>90 days</h2>\n" + strip(input.days, now: input.now)
        html += "<h2>State changes</h2>\n"
        if input.changes.isEmpty {
            html += "<p class=\"meta\">None recorded.</p>\n"
        } else {
            html += "<table><thead><tr><th>When</th><th>From</th><th>To</th><th>Message</th></tr></thead><tbody>\n"
            for change in input.changes {
                html +=
                    "<tr><td>\(APIDocuments.time(change.at))</td><td>\(change.from?.rawValue ?? "–")</td><td class=\"badge \(change.to.rawValue)\">\(change.to.rawValue)</td><td class=\"msg\">\(e(change.message))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html += "</main>\n<footer>healthrun \(healthrunVersion)</footer>\n</body>\n</html>\n"
        return html
    }

    /// An inline SVG: latency of each run over 24 h (log-free, scaled to the slowest), failures as red ticks.
    static func chart(_ results: [StoredResult], now: Int64) -> String {
        let width = 960.0
        let height = 160.0
        let start = now - 86_400_000
        let ran = results.filter { $0.status != .skipped }
        guard !ran.isEmpty else { return "<p class=\"meta\">No runs in the last 24 hours.</p>\n" }
        let slowest = max(ran.map(\.durationMs).max() ?? 1, 1)
        func x(_ at: Int64) -> String { String(format: "%.1f", Double(at - start) / 86_400_000 * width) }
        func y(_ ms: Double) -> String { String(format: "%.1f", height - ms / slowest * (height - 10)) }
        let points = ran.map { "\(x($0.at)),\(y($0.durationMs))" }.joined(separator: " ")
        var svg = """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="latency over the last 24 hours, slowest \(RunReport.formatMilliseconds(.milliseconds(slowest)))">
            <polyline fill="none" stroke="currentColor" stroke-width="1.5" points="\(points)"/>

            """
        for failure in ran where failure.status == .fail {
            svg +=
                "<line x1=\"\(x(failure.at))\" x2=\"\(x(failure.at))\" y1=\"0\" y2=\"\(Int(height))\" class=\"failtick\"/>\n"
        }
        svg +=
            "</svg>\n<p class=\"meta\">Slowest: \(RunReport.formatMilliseconds(.milliseconds(slowest))); red lines are failures.</p>\n"
        return svg
    }

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
        .chart{width:100%;height:10rem;color:var(--ok);border-bottom:1px solid var(--line)}.failtick{stroke:var(--fail);stroke-width:1;opacity:.6}.days{width:100%;height:2rem}
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
