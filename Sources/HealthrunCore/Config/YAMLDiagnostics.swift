import Yams

/// Turns Yams' errors into diagnostics with the file name and plain words.
enum YAMLDiagnostics {
    /// Whether line `line` (1-based) of `text` is indented with a tab: libyaml then says only
    /// "found character that cannot start any token".
    static func startsWithTab(line: Int, in text: String) -> Bool {
        var current = 1
        var atLineStart = true
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                current += 1
                atLineStart = true
                if current > line { return false }
                continue
            }
            guard current == line, atLineStart else { continue }
            if scalar == "\t" { return true }
            if scalar != " " { atLineStart = false }
        }
        return false
    }

    static func diagnose(_ error: any Error, in source: ConfigSource) -> Diagnostic {
        let file = source.path
        guard let yamlError = error as? YamlError else {
            return Diagnostic("cannot parse YAML: \(error)", at: SourceLocation(file: file))
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var notes: [Diagnostic.Note] = []
            if let context {
                notes.append(
                    .init(
                        context.text,
                        at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
                )
            }
            var hints: [String] = []
            if problem.contains("tab") || startsWithTab(line: mark.line, in: source.text) {
                hints.append("indent with spaces; YAML does not allow tabs")
            } else if problem.contains("mapping values are not allowed") {
                hints.append("a value containing ': ' must be quoted")
            } else if problem.contains("did not find expected key") || problem.contains("did not find expected '-'") {
                hints.append("check the indentation of this line against the lines above")
            }
            return Diagnostic(
                "invalid YAML: \(problem)",
                at: SourceLocation(file: file, line: mark.line, column: mark.column),
                hints: hints,
                notes: notes
            )
        case .reader(let problem, let offset, _, _):
            let (line, column) = position(ofUTF8Offset: offset ?? 0, in: source.text)
            return Diagnostic("invalid YAML: \(problem)", at: SourceLocation(file: file, line: line, column: column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let places = keyLines(key, in: source.text, from: context.mark.line)
            let second = places.count > 1 ? places[1] : (context.mark.line, context.mark.column)
            var notes: [Diagnostic.Note] = []
            if let first = places.first, places.count > 1 {
                notes.append(
                    .init("first defined here", at: SourceLocation(file: file, line: first.0, column: first.1)))
            }
            return Diagnostic(
                "duplicate key '\(key)'",
                at: SourceLocation(file: file, line: second.0, column: second.1),
                hints: ["each key may appear once in a mapping; remove or rename one"],
                notes: notes
            )
        default:
            return Diagnostic("cannot parse YAML: \(yamlError)", at: SourceLocation(file: file))
        }
    }

    /// Lines and columns where `key:` starts, from line `start` on (Yams names only the mapping).
    private static func keyLines(_ key: String, in text: String, from start: Int) -> [(Int, Int)] {
        var found: [(Int, Int)] = []
        var indent: Int?
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where offset + 1 >= start {
            var content = Substring(line)
            var column = 1
            while content.first == " " || content.first == "-" {
                content.removeFirst()
                column += 1
            }
            for candidate in [key, "\"\(key)\"", "'\(key)'"] where content.hasPrefix(candidate + ":") {
                if indent == nil { indent = column }
                if column == indent { found.append((offset + 1, column)) }
            }
            if found.count == 2 { break }
        }
        return found
    }

    private static func position(ofUTF8Offset offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
