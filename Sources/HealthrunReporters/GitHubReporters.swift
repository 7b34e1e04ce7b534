public import HealthrunCore

/// GitHub Actions workflow commands: an `::error` per failed critical check and a `::warning` per
/// warned or non-critical failed one, so they show as annotations on the run. The CLI adds it when `GITHUB_ACTIONS=true`.
public struct GitHubAnnotationsReporter: Reporter {
    public let formatName = "github"
    public let defaultPath = "-"

    /// Creates the reporter.
    public init() {}

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        var text = ""
        for check in report.checks where check.status == .fail || check.status == .warn {
            // A failure that does not fail the run (not critical) is a warning, not an error.
            let command = check.status == .fail && check.critical ? "error" : "warning"
            let title = Escaping.githubCommand("healthrun: \(check.name)", property: true)
            let file = Escaping.githubCommand(check.source.file, property: true)
            text +=
                "::\(command) file=\(file),line=\(check.source.line),title=\(title)::\(Escaping.githubCommand(check.message))\n"
        }
        return Array(text.utf8)
    }
}

/// A Markdown summary table, appended to `$GITHUB_STEP_SUMMARY` when that is set.
public struct MarkdownReporter: Reporter {
    public let formatName = "markdown"
    public let defaultPath = "healthrun-summary.md"

    /// Creates the reporter.
    public init() {}

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        let symbol: [CheckStatus: String] = [.ok: "✅ ok", .warn: "⚠️ warn", .fail: "❌ fail", .skipped: "⏭️ skipped"]
        var text = "### healthrun: \(symbol[report.status] ?? report.status.rawValue)\n\n"
        text += "\(Escaping.markdownCell(report.summaryLine))\n\n"
        text += "| status | check | type | latency | message |\n|---|---|---|---|---|\n"
        for check in report.checks {
            let latency = check.status == .skipped ? "–" : RunReport.formatMilliseconds(check.duration)
            text +=
                "| \(symbol[check.status] ?? "") | \(Escaping.markdownCell(check.name)) | \(check.type) | \(latency) | \(Escaping.markdownCell(check.message)) |\n"
        }
        if !report.groups.isEmpty {
            text += "\n| group | policy | status | |\n|---|---|---|---|\n"
            for group in report.groups {
                text +=
                    "| \(Escaping.markdownCell(group.name)) | \(group.policy.rawValue) | \(symbol[group.status] ?? "") | \(Escaping.markdownCell(group.message)) |\n"
            }
        }
        return Array((text + "\n").utf8)
    }
}
