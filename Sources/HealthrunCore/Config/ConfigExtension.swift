/// A key of checks.d that a module above the core owns, and the type its value decodes to.
/// A type that throws ``ConfigValueError`` from `init(from:)` gets its message located in the file.
public struct ConfigKey<Value: Decodable & Sendable>: Sendable {
    /// The key as written in YAML.
    public let name: String

    /// Creates a key.
    public init(_ name: String) {
        self.name = name
    }
}

/// Decoded values of keys that a module registered, each with where it was written.
public struct ConfigValues: Sendable {
    private var storage: [String: (value: any Sendable, location: SourceLocation?)] = [:]

    /// No values.
    public init() {}

    /// The value of `key`, if it was given.
    public subscript<Value>(key: ConfigKey<Value>) -> Value? {
        get { storage[key.name]?.value as? Value }
        set { storage[key.name] = newValue.map { ($0, storage[key.name]?.location) } }
    }

    /// Where `key`'s value was written: at the value, or at the check for a value that came from
    /// its file's `defaults:`.
    public func location<Value>(of key: ConfigKey<Value>) -> SourceLocation? {
        storage[key.name]?.location
    }

    /// Sets `key`'s value and where it was written.
    public mutating func set<Value>(_ key: ConfigKey<Value>, _ value: Value, at location: SourceLocation?) {
        storage[key.name] = (value, location)
    }

    mutating func set(name: String, _ value: any Sendable, at location: SourceLocation?) {
        storage[name] = (value, location)
    }

    func entry(_ name: String) -> (value: any Sendable, location: SourceLocation?)? { storage[name] }

    /// Whether no value is set.
    public var isEmpty: Bool { storage.isEmpty }
}

/// The part of checks.d a module above the core owns: keys of each check (also accepted under
/// a file's `defaults:`, which a check's own value overrides) and top-level sections with their
/// fields (one file at most defines each). The loader decodes them with the same located
/// diagnostics as its own keys and keeps the values in ``CheckDefinition/settings`` and
/// ``LoadedConfiguration/sections``. `healthrun serve` registers `interval`, `alert` and
/// `alerting` this way; the core has no such key of its own.
public struct ConfigExtension: Sendable {
    /// One registered key: its name and how to read it.
    public struct Field: Sendable {
        /// The key as written in YAML.
        public let name: String
        let read: @Sendable (inout FieldReader) -> (any Sendable)?

        /// A field decoding `key`.
        public init<Value>(_ key: ConfigKey<Value>) {
            name = key.name
            read = { reader in reader.read(key.name, as: Value.self) }
        }
    }

    /// A top-level section: a mapping of fields.
    public struct Section: Sendable {
        /// The top-level key.
        public let name: String
        /// Its fields.
        public let fields: [Field]
    }

    /// Who owns the keys, for messages ("read by serve").
    public let owner: String
    /// Per-check keys.
    public private(set) var checkKeys: [Field] = []
    /// Top-level sections.
    public private(set) var sections: [Section] = []
    /// Whether values are decoded. An extension that does not decode accepts its keys without
    /// reading them: a one-shot run accepts serve's keys, and does not demand the variables
    /// only they use.
    public private(set) var decodes = true
    /// Cross-checks once every file is loaded: the checks (with their settings) and the
    /// sections; returns the problems found.
    public var validate: (@Sendable (_ checks: [CheckDefinition], _ sections: [String: ConfigValues]) -> [Diagnostic])?

    /// Creates an extension with no keys.
    public init(owner: String) {
        self.owner = owner
    }

    /// Registers keys of each check.
    public mutating func addCheckKeys(_ fields: [Field]) {
        checkKeys += fields
    }

    /// Registers a top-level section.
    public mutating func addSection(_ name: String, fields: [Field]) {
        sections.append(Section(name: name, fields: fields))
    }

    /// The same keys, accepted but not decoded.
    public var unread: ConfigExtension {
        var copy = self
        copy.decodes = false
        return copy
    }
}

extension Decoder {
    /// The keys of a check that healthrun reads itself (the core's common keys and every
    /// extension's), when the loader decodes a check: a checker that takes every other key,
    /// such as an executable plugin, leaves these out.
    public var reservedCheckKeys: Set<String> {
        userInfo[.reservedCheckKeys] as? Set<String> ?? []
    }
}

extension CodingUserInfoKey {
    /// Where ``ConfigLoader`` puts ``Decoder/reservedCheckKeys``.
    public static let reservedCheckKeys = CodingUserInfoKey(rawValue: "healthrun.reservedCheckKeys")!
}
