/// A credential from checks.d: an API key, a token, a password. Its `description` is masked;
/// it is not `Encodable`; the raw value is reachable only through ``revealed()``. Decoding one
/// registers it with the run's ``Redactor`` so no output can carry it.
public struct Secret: Sendable, Hashable, Decodable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    /// Wraps a raw value. Register it with a ``Redactor`` yourself when you make one by hand.
    public init(_ value: String) {
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
        decoder.redactor?.register(value)
    }

    /// The raw value, for the one place that sends it (a header, a connection string).
    public func revealed() -> String { value }

    /// Whether the secret is empty.
    public var isEmpty: Bool { value.isEmpty }

    /// The masked form: first 4 and last 4 characters around `…` for 16 or more characters,
    /// `****` otherwise.
    public var description: String { Redactor.mask(value) }

    public var debugDescription: String { "Secret(\(Redactor.mask(value)))" }
}
