import HealthrunCore
import HealthrunReporters

/// The status page's "Usage" section, shown once any check reports what an LLM account spent
/// (`tokens`, `cost_usd`, `balance`: the `usage` type) or how a canary answered (`ttft_ms`: the
/// `completion` type): tokens per model today and this month, cost, balances, and each
/// canary's latest time to first token and rate-limit headroom.
enum UsageSection {
    static func render(_ results: [CheckResult]) -> String {
        let e = Escaping.html
        let accounts = results.filter { result in
            result.metrics.contains { ["tokens", "cost_usd", "balance"].contains($0.name) }
        }
        let canaries = results.filter { result in result.metrics.contains { $0.name == "ttft_ms" } }
        guard !accounts.isEmpty || !canaries.isEmpty else { return "" }
        var html = "<h2 id=\"usage\">Usage</h2>\n"
        if !accounts.isEmpty {
            html += """
                <table class="usage"><thead><tr><th>Account</th><th>Model</th><th>Tokens today</th><th>Tokens this month</th><th>Cost today</th><th>Cost this month</th><th>Balance</th></tr></thead><tbody>

                """
            for result in accounts {
                func sum(_ name: String, _ labels: [String: String]) -> Double? {
                    let matching = result.metrics.filter { metric in
                        metric.name == name && labels.allSatisfy { metric.labels[$0.key] == $0.value }
                    }
                    return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
                }
                func show(_ value: Double?, _ unit: Metric.Unit) -> String {
                    value.map { e(Metric.format(unit == .usd ? ($0 * 100).rounded() / 100 : $0, unit: unit)) } ?? "–"
                }
                let models = Set(result.metrics.filter { $0.name == "tokens" }.compactMap { $0.labels["model"] })
                    .sorted()
                let balances = result.metrics.filter { $0.name == "balance" }.map { metric in
                    let service = metric.labels["service"].map { e($0) + " " } ?? ""
                    let breach = metric.breach.map { " <span class=\"badge \($0.rawValue)\">\($0.symbol)</span>" } ?? ""
                    return service + e(metric.formattedValue) + breach
                }
                let rows = models.isEmpty ? [nil] : models.map { Optional($0) }
                for (index, model) in rows.enumerated() {
                    let first = index == 0
                    let name =
                        first
                        ? "<a href=\"/checks/\(e(result.name))\">\(e(result.name))</a>" : ""
                    let tokensToday =
                        model.map { show(sum("tokens", ["model": $0, "window": "today"]), .tokens) } ?? "–"
                    let tokensMonth =
                        model.map { show(sum("tokens", ["model": $0, "window": "month"]), .tokens) } ?? "–"
                    html += """
                        <tr><td>\(name)</td><td>\(model.map(e) ?? "–")</td><td>\(tokensToday)</td><td>\(tokensMonth)</td><td>\(first ? show(sum("cost_usd", ["window": "today"]), .usd) : "")</td><td>\(first ? show(sum("cost_usd", ["window": "month"]), .usd) : "")</td><td>\(first ? (balances.isEmpty ? "–" : balances.joined(separator: "<br>")) : "")</td></tr>

                        """
                }
            }
            html += "</tbody></table>\n"
        }
        if !canaries.isEmpty {
            html += """
                <table class="usage"><thead><tr><th>Canary</th><th>Status</th><th>First token</th><th>Token headroom</th><th>Requests left</th></tr></thead><tbody>

                """
            for result in canaries {
                func metric(_ name: String) -> Metric? { result.metrics.first { $0.name == name } }
                let ttft = metric("ttft_ms").map { RunReport.formatMilliseconds(.milliseconds($0.value)) } ?? "–"
                let headroom = metric("ratelimit_tokens_remaining_ratio").map { e($0.formattedValue) } ?? "–"
                let requests = metric("ratelimit_requests_remaining").map { e($0.formattedValue) } ?? "–"
                html += """
                    <tr><td><a href="/checks/\(e(result.name))">\(e(result.name))</a></td><td><span class="badge \(result.status.rawValue)">\(result.status.symbol) \(result.status.rawValue)</span></td><td>\(ttft)</td><td>\(headroom)</td><td>\(requests)</td></tr>

                    """
            }
            html += "</tbody></table>\n"
        }
        return html
    }
}
