/// A value in a checks.d file that is wrong. Throw it from a configuration's `init(from:)` or a
/// checker's factory; the loader turns it into a `file:line:column` diagnostic.
public struct ConfigValueError: Error, Sendable, CustomStringConvertible {
    /// The key path of the offending field below the check (`["expect", "status"]`); empty means
    /// the value being decoded, or the check itself when thrown from a factory.
    public var field: [String]
    /// What is wrong.
    public var message: String
    /// How to fix it.
    public var hint: String?

    /// Creates the error.
    public init(_ message: String, field: [String] = [], hint: String? = nil) {
        self.message = message
        self.field = field
        self.hint = hint
    }

    public var description: String { message }
}
