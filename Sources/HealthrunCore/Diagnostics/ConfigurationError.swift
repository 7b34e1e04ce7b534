/// Every problem of one configuration load, sorted by location. Thrown by ``ConfigLoader``;
/// nothing is run when it is thrown.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The problems, sorted by file, line and column.
    public var diagnostics: [Diagnostic]

    /// Creates the error, sorting the diagnostics.
    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { lhs, rhs in
            switch (lhs.location, rhs.location) {
            case let (l?, r?): return l < r
            case (nil, _?): return true
            default: return false
            }
        }
    }

    /// The diagnostics, then a closing line such as `healthrun: 2 errors in 2 files; nothing was run`.
    public var description: String {
        let files = Set(diagnostics.compactMap { $0.location?.file })
        let count = diagnostics.count
        var summary = "healthrun: \(count) error\(count == 1 ? "" : "s")"
        if !files.isEmpty { summary += " in \(files.count) file\(files.count == 1 ? "" : "s")" }
        summary += "; nothing was run"
        return (diagnostics.map(\.description) + [summary]).joined(separator: "\n")
    }
}
