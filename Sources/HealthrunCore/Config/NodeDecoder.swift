import Yams

/// Decodes `Decodable` values straight from a Yams node tree, keeping every value's
/// `line:column` for diagnostics, expanding `${VAR}` in every scalar, and recording which keys
/// were asked for so that unknown keys can be reported for any checker type.
struct NodeDecoder: Decoder {
    let node: Node
    let session: DecodingSession
    let codingPath: [any CodingKey]
    /// Built when asked for (by plugins and redacting decoders), not for every field.
    var userInfo: [CodingUserInfoKey: Any] {
        [.redactor: session.redactor, .reservedCheckKeys: session.reservedCheckKeys]
    }

    init(node: Node, session: DecodingSession, codingPath: [any CodingKey] = []) throws {
        try session.visit(node)
        self.node = node
        self.session = session
        self.codingPath = codingPath
    }

    var location: SourceLocation { session.location(of: node) }

    func failure(_ message: String, hint: String? = nil) -> NodeDecodingFailure {
        NodeDecodingFailure(location: location, message: message, hint: hint)
    }

    /// Decodes `T` from this node, turning errors thrown by `T`'s own `init(from:)` into
    /// failures located at this node.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try T(from: self)
        } catch let failure as NodeDecodingFailure {
            throw failure
        } catch let error as ConfigValueError {
            throw NodeDecodingFailure(location: locate(error.field), message: error.message, hint: error.hint)
        } catch let error as DecodingError {
            throw failure(Self.describe(error))
        }
    }

    /// The location of a key path below this node, or of this node when the path does not exist.
    func locate(_ path: [String]) -> SourceLocation {
        var current = node
        for key in path {
            switch current {
            case .mapping(let mapping):
                guard let value = mapping.value(forKey: key) else { return session.location(of: current) }
                current = value
            case .sequence(let sequence):
                guard let index = Int(key), sequence.indices.contains(index) else {
                    return session.location(of: current)
                }
                current = sequence[index]
            default:
                return session.location(of: current)
            }
        }
        return session.location(of: current)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.debugDescription
        case .keyNotFound(let key, _):
            return "missing required key '\(key.stringValue)'"
        @unknown default:
            return "\(error)"
        }
    }

    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            return node.isNullTag ? "nothing (null)" : "'\(scalar.string)'"
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else {
            throw failure("expected a mapping (key: value lines), found \(kindDescription)")
        }
        let opened = session.open(mapping)
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(decoder: self, mapping: mapping, opened: opened))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else {
            throw failure("expected a list, found \(kindDescription)", hint: "write a list as [a, b] or as '- a' lines")
        }
        return UnkeyedNodeContainer(decoder: self, elements: Array(sequence))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueNodeContainer(decoder: self)
    }

    /// The expanded text of a scalar node; lists and mappings are an error.
    func scalarText(expecting what: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw failure("expected \(what), found \(kindDescription)")
        }
        if node.isNullTag, scalar.style == .plain || scalar.style == .any {
            throw failure("expected \(what), found nothing (null)")
        }
        return session.expand(scalar)
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return node.isNullTag && (scalar.style == .plain || scalar.style == .any)
    }

    /// The resolved YAML type of a plain scalar (`int`, `bool`, `float`, `null`, `str`).
    var scalarTag: Tag.Name? {
        guard case .scalar = node else { return nil }
        return Tag.Name(rawValue: node.tag.rawValue)
    }
}

extension Node {
    var isNullTag: Bool { tag.rawValue == Tag.Name.null.rawValue }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let mapping: Node.Mapping
    /// Values by key, built once: a container is asked for every field its type knows.
    let values: MappingValues
    /// Where the keys asked for are noted.
    let opened: DecodingSession.OpenedMapping

    init(decoder: NodeDecoder, mapping: Node.Mapping, opened: DecodingSession.OpenedMapping) {
        self.decoder = decoder
        self.mapping = mapping
        self.opened = opened
        values = mapping.valuesByKey
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        mapping.keys.compactMap { keyNode in
            guard let name = keyNode.scalar?.string else { return nil }
            opened.touch(name)
            return Key(stringValue: name)
        }
    }

    func contains(_ key: Key) -> Bool {
        opened.touch(key.stringValue)
        return values[key.stringValue] != nil
    }

    private func child(_ key: Key) throws -> NodeDecoder {
        opened.touch(key.stringValue)
        guard let value = values[key.stringValue] else {
            var failure = decoder.failure("missing required key '\(key.stringValue)'")
            failure.missingKey = key.stringValue
            throw failure
        }
        return try NodeDecoder(node: value, session: decoder.session, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try child(key).isNull
    }

    /// An optional field: absent or null is `nil`; a value that does not decode is an error, or,
    /// while the session collects them, recorded and `nil`, so decoding goes on to the next field.
    private func optional<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        opened.touch(key.stringValue)
        guard let value = values[key.stringValue] else { return nil }
        let child = try NodeDecoder(node: value, session: decoder.session, codingPath: codingPath + [key])
        if child.isNull { return nil }
        do {
            return try child.decode(T.self)
        } catch let failure as NodeDecodingFailure where decoder.session.collectsOptionalFailures {
            decoder.session.optionalFailures.append(failure)
            return nil
        }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, forKey: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, forKey: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try child(key).decode(T.self)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let elements: [Node]
    private(set) var currentIndex = 0

    init(decoder: NodeDecoder, elements: [Node]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw decoder.failure("the list has too few items") }
        let node = elements[currentIndex]
        let child = try NodeDecoder(
            node: node,
            session: decoder.session,
            codingPath: codingPath + [AnyCodingKey(intValue: currentIndex)]
        )
        currentIndex += 1
        return child
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if try NodeDecoder(node: elements[currentIndex], session: decoder.session).isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleValueNodeContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }

    func decode(_ type: String.Type) throws -> String {
        try decoder.scalarText(expecting: "a string")
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        let text = try decoder.scalarText(expecting: "true or false")
        guard let value = Bool.construct(from: Node.Scalar(text)) else {
            throw decoder.failure("expected true or false, found '\(text)'")
        }
        return value
    }

    func decode(_ type: Double.Type) throws -> Double {
        let text = try decoder.scalarText(expecting: "a number")
        guard let value = Double.construct(from: Node.Scalar(text)) else {
            throw decoder.failure("expected a number, found '\(text)'")
        }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int {
        let text = try decoder.scalarText(expecting: "a whole number")
        guard let value = Int.construct(from: Node.Scalar(text)) else {
            throw decoder.failure("expected a whole number, found '\(text)'")
        }
        return value
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let value = try decode(Int.self)
        guard let converted = T(exactly: value) else {
            throw decoder.failure("\(value) is out of range (\(T.min)...\(T.max))")
        }
        return converted
    }

    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(T.self) }
}

extension Node.Mapping {
    /// The value of the key spelled `key`, by plain string comparison. Yams' own
    /// `subscript(String)` builds a node for the key and resolves its tag with regular
    /// expressions on every lookup: most of the load time of a large checks.d.
    func value(forKey key: String) -> Node? {
        for (candidate, value) in self where candidate.scalar?.string == key { return value }
        return nil
    }

    /// Every value by its key's text, the first of repeated keys: for readers that ask for
    /// many keys of one mapping.
    var valuesByKey: MappingValues { MappingValues(self) }
}

/// A mapping's values by their key's text, the first of repeated keys. A check's mapping has a
/// handful of keys and its reader asks for a dozen or more: comparing small strings in a short
/// list costs less than hashing each key, so only a large mapping gets a dictionary.
struct MappingValues {
    /// Keys and values apart: a lookup compares keys without copying (retaining) any node.
    private var keys: [String] = []
    private var values: [Node] = []
    private var dictionary: [String: Node]?

    private static let linearLimit = 16

    init(_ mapping: Node.Mapping) {
        for (key, value) in mapping {
            if let name = key.scalar?.string {
                keys.append(name)
                values.append(value)
            }
        }
        if keys.count > Self.linearLimit {
            var byKey: [String: Node] = [:]
            for index in keys.indices where byKey[keys[index]] == nil { byKey[keys[index]] = values[index] }
            dictionary = byKey
        }
    }

    subscript(key: String) -> Node? {
        if let dictionary { return dictionary[key] }
        return keys.firstIndex(of: key).map { values[$0] }
    }
}
