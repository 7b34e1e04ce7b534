import Foundation

/// The `.env` file format: `KEY=VALUE` lines, `#` comments, optional `export `, optional
/// single or double quotes (double quotes understand `\n`, `\"` and `\\`).
public enum EnvFile {
    /// Parses `text`; `file` names it in diagnostics. Returns the variables and the problems.
    public static func parse(_ text: String, file: String) -> (values: [String: String], diagnostics: [Diagnostic]) {
        var values: [String: String] = [:]
        var diagnostics: [Diagnostic] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            let trimmed = Substring(String(line).trimmingWhitespace())
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var body = trimmed
            if body.hasPrefix("export ") { body = Substring(String(body.dropFirst(7)).trimmingWhitespace()) }
            guard let equals = body.firstIndex(of: "=") else {
                diagnostics.append(
                    Diagnostic(
                        "expected KEY=VALUE in env file",
                        at: SourceLocation(file: file, line: lineNumber, column: 1),
                        hints: ["write each variable as NAME=value; start comments with #"]
                    )
                )
                continue
            }
            let key = String(body[..<equals]).trimmingWhitespace()
            guard isValidName(key) else {
                diagnostics.append(
                    Diagnostic(
                        "invalid variable name '\(key)' in env file",
                        at: SourceLocation(file: file, line: lineNumber, column: 1),
                        hints: ["names are letters, digits and _ and do not start with a digit"]
                    )
                )
                continue
            }
            let rawValue = String(body[body.index(after: equals)...]).trimmingWhitespace()
            switch unquote(rawValue) {
            case .success(let value):
                values[key] = value
            case .failure(let problem):
                let column = (line.firstIndex(of: "=").map { line.distance(from: line.startIndex, to: $0) } ?? 0) + 2
                diagnostics.append(
                    Diagnostic(problem.description, at: SourceLocation(file: file, line: lineNumber, column: column))
                )
            }
        }
        return (values, diagnostics)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil))
        }
    }

    struct QuoteProblem: Error, CustomStringConvertible {
        var description: String
    }

    static func unquote(_ value: String) -> Result<String, QuoteProblem> {
        guard let quote = value.first, quote == "\"" || quote == "'" else {
            // An unquoted value ends at ' #' (an inline comment).
            if let comment = value.range(of: " #") {
                return .success(String(value[..<comment.lowerBound]).trimmingWhitespace())
            }
            return .success(value)
        }
        var result = ""
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let character = value[index]
            if character == quote {
                let rest = String(value[value.index(after: index)...]).trimmingWhitespace()
                if !rest.isEmpty, !rest.hasPrefix("#") {
                    return .failure(QuoteProblem(description: "unexpected text after the closing quote in env file"))
                }
                return .success(result)
            }
            if quote == "\"", character == "\\" {
                let next = value.index(after: index)
                if next < value.endIndex {
                    switch value[next] {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "\"": result.append("\"")
                    case "\\": result.append("\\")
                    default: result.append(character); result.append(value[next])
                    }
                    index = value.index(after: next)
                    continue
                }
            }
            result.append(character)
            index = value.index(after: index)
        }
        return .failure(QuoteProblem(description: "missing closing \(quote) in env file"))
    }
}
