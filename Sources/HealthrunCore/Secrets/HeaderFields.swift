/// HTTP headers from checks.d, in order. Values of credential-carrying headers
/// (`Authorization`, `Proxy-Authorization`, `Cookie`, `X-Api-Key`, any name containing
/// `token`, `secret`, `key` or `auth`) are registered as secrets when decoded.
public struct HeaderFields: Decodable, Sendable, Hashable, Sequence {
    /// The headers, in file order.
    public private(set) var fields: [(name: String, value: String)]

    /// Creates headers from pairs.
    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        fields = []
        for key in container.allKeys {
            let value = try container.decode(String.self, forKey: key)
            if Self.isSensitive(key.stringValue) {
                decoder.redactor?.register(value)
                // The credential part of "Bearer xyz" / "Basic xyz" on its own, too.
                if let space = value.firstIndex(of: " ") {
                    decoder.redactor?.register(String(value[value.index(after: space)...]).trimmingWhitespace())
                }
            }
            fields.append((key.stringValue, value))
        }
    }

    /// Whether a header of this name carries a credential.
    public static func isSensitive(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["authorization", "proxy-authorization", "cookie", "x-api-key"].contains(lower)
            || ["token", "secret", "key", "auth", "password"].contains { lower.contains($0) }
    }

    /// Adds a header.
    public mutating func add(name: String, value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HeaderFields, rhs: HeaderFields) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}

/// A coding key for any string or index, for decoding mappings whose keys are data.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?

    public init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    public init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
