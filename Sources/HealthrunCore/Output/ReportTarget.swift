/// One `--report FORMAT[:PATH]`.
public struct ReportTarget: Sendable, Hashable, CustomStringConvertible {
    /// The format's name.
    public var format: String
    /// The path, `-` for stdout, or `nil` for the format's default path.
    public var path: String?

    /// Creates a target.
    public init(format: String, path: String? = nil) {
        self.format = format
        self.path = path
    }

    /// Parses `json`, `json:out/report.json`, `console:-`.
    public init(parsing text: String) {
        if let colon = text.firstIndex(of: ":") {
            format = String(text[..<colon])
            let rest = String(text[text.index(after: colon)...])
            path = rest.isEmpty ? nil : rest
        } else {
            format = text
            path = nil
        }
    }

    public var description: String { path.map { "\(format):\($0)" } ?? format }
}
