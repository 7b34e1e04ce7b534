public import HealthrunCore

/// An aligned table for people: one line per check, then groups, then the summary line.
public struct ConsoleReporter: Reporter {
    public let formatName = "console"
    public let defaultPath = "-"

    /// Creates the reporter.
    public init() {}

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        let color = options.color
        var rows: [[String]] = [["STATUS", "NAME", "TYPE", "LATENCY", "MESSAGE"]]
        for check in report.checks {
            rows.append([
                check.status.rawValue.uppercased(),
                check.name,
                check.type,
                check.status == .skipped ? "-" : RunReport.formatMilliseconds(check.duration),
                Self.oneLine(check.message) + (check.attempts > 1 ? " (\(check.attempts) attempts)" : "")
                    + Self.metrics(check, all: options.verbose),
            ])
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        for (index, row) in rows.enumerated() {
            var cells: [String] = []
            for column in 0..<4 {
                let padded = row[column].padding(to: widths[column])
                if index > 0, column == 0, color {
                    cells.append(Self.paint(padded, report.checks[index - 1].status))
                } else {
                    cells.append(padded)
                }
            }
            cells.append(row[4])
            let line = cells.joined(separator: "  ")
            lines.append(index == 0 && color ? "\u{1B}[1m\(line)\u{1B}[0m" : line)
            // What a check that did not pass was talking to, under its name, unless its
            // message already says.
            if index > 0 {
                let check = report.checks[index - 1]
                if check.status == .fail || check.status == .warn, case .string(let target)? = check.details["target"],
                    !check.message.contains(target)
                {
                    lines.append(String(repeating: " ", count: widths[0] + 2) + "target: " + Self.oneLine(target))
                }
            }
        }
        if !report.groups.isEmpty {
            lines.append("")
            for group in report.groups {
                let status = group.status.rawValue.uppercased()
                lines.append(
                    "group \(group.name) (\(group.policy.rawValue)): \(color ? Self.paint(status, group.status) : status) — \(Self.oneLine(group.message))"
                )
            }
        }
        lines.append("")
        let summary = report.verdictLine
        lines.append(color ? Self.paint(summary, report.status) : summary)
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// One line, with control characters shown as `\u{1b}` so a server's text cannot drive
    /// the terminal.
    /// ` [body_bytes 1,234 bytes, status_code 200]`: the first three metrics (the checker puts
    /// the telling ones first), or all of them with `-v`.
    static func metrics(_ check: CheckResult, all: Bool) -> String {
        guard !check.metrics.isEmpty else { return "" }
        let shown = all ? check.metrics : Array(check.metrics.prefix(3))
        let more = check.metrics.count - shown.count
        return " [" + shown.map { oneLine($0.summary) }.joined(separator: ", ") + (more > 0 ? ", +\(more)" : "") + "]"
    }

    static func oneLine(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\t" {
                result += " "
            } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.isBidiControl {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func paint(_ text: String, _ status: CheckStatus) -> String {
        let code: String
        switch status {
        case .ok: code = "32"
        case .warn: code = "33"
        case .fail: code = "31"
        case .skipped: code = "90"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
