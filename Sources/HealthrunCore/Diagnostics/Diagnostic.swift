/// One problem found while loading configuration, printed like a compiler diagnostic:
///
/// ```
/// checks.d/llm.yaml:6:5: error: unknown key 'timout' in check 'claude-code-health'
///   hint: did you mean 'timeout'?
/// ```
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// A secondary line under the message.
    public struct Note: Sendable, Hashable {
        /// Where the note points, if anywhere.
        public var location: SourceLocation?
        /// The note's text.
        public var text: String

        /// Creates a note.
        public init(_ text: String, at location: SourceLocation? = nil) {
            self.text = text
            self.location = location
        }
    }

    /// Where the problem is; `nil` for problems with no file (a missing directory).
    public var location: SourceLocation?
    /// What is wrong, one sentence.
    public var message: String
    /// How to fix it.
    public var hints: [String]
    /// Related places (the first definition of a duplicate).
    public var notes: [Note]

    /// Creates a diagnostic.
    public init(_ message: String, at location: SourceLocation?, hints: [String] = [], notes: [Note] = []) {
        self.message = message
        self.location = location
        self.hints = hints
        self.notes = notes
    }

    /// The diagnostic with every secret masked.
    public func redacted(by redactor: Redactor) -> Diagnostic {
        Diagnostic(
            redactor.redact(message),
            at: location,
            hints: hints.map(redactor.redact),
            notes: notes.map { Note(redactor.redact($0.text), at: $0.location) }
        )
    }

    /// The full text: the error line, then `hint:` and `note:` lines indented by two spaces.
    public var description: String {
        var lines = [(location.map { "\($0): " } ?? "") + "error: " + message]
        for hint in hints { lines.append("  hint: \(hint)") }
        for note in notes {
            lines.append("  note: " + (note.location.map { "\($0): " } ?? "") + note.text)
        }
        return lines.joined(separator: "\n")
    }
}
