import HealthrunCore

/// Escaping for the text formats reporters write. Everything from outside (server bodies,
/// messages, names) goes through one of these.
package enum Escaping {
    /// HTML text and attribute values: `& < > " '`; C0 controls but newline and tab as U+FFFD;
    /// bidirectional formatting characters shown as `\u{202e}`, so they cannot reorder the page.
    package static func html(_ text: String) -> String {
        markup(text, apostrophe: "&#39;") { scalar in
            if scalar.isBidiControl { return "\\u{\(String(scalar.value, radix: 16))}" }
            return scalar.value < 0x20 && scalar != "\n" && scalar != "\t" ? "&#xFFFD;" : nil
        }
    }

    /// XML 1.0 text and attributes: the five entities, and characters XML cannot hold
    /// (C0 controls but tab, newline and return; U+FFFE/U+FFFF) shown as `\u{1b}`.
    static func xml(_ text: String) -> String {
        markup(text, apostrophe: "&apos;") { scalar in
            let cannotHold =
                (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r")
                || scalar.value == 0xFFFE || scalar.value == 0xFFFF
                || (0x7F...0x84).contains(scalar.value) || (0x86...0x9F).contains(scalar.value)
            return cannotHold ? "\\u{\(String(scalar.value, radix: 16))}" : nil
        }
    }

    /// The one entity-escaping loop of HTML and XML: `& < > "`, the apostrophe as the format
    /// spells it, and what `replace` says for characters the format cannot hold.
    private static func markup(
        _ text: String, apostrophe: String, replace: (Unicode.Scalar) -> String?
    ) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += apostrophe
            default:
                if let replacement = replace(scalar) {
                    result += replacement
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// One log line: line breaks as spaces, control and bidirectional characters as `\u{…}`,
    /// so a server's text can neither forge log lines nor drive a terminal.
    package static func logLine(_ text: String) -> String {
        ConsoleReporter.oneLine(text)
    }

    /// A Prometheus label value: backslash, double quote and newline escaped.
    package static func prometheusLabel(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n", "\r\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// A GitHub Actions workflow command's message (`%`, CR, LF) or property (also `:` and `,`).
    static func githubCommand(_ text: String, property: Bool = false) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            case ":" where property: result += "%3A"
            case "," where property: result += "%2C"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A Markdown table cell: pipes and line breaks, and HTML.
    static func markdownCell(_ text: String) -> String {
        html(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
