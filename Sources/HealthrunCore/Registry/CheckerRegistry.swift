/// The checker types a run knows, by `type:` name. A value: build one in `main` (or in a
/// test) and hand it down; nothing registers itself globally.
public struct CheckerRegistry: Sendable {
    /// Makes a configured checker from a check's fields.
    public struct Factory: Sendable {
        /// The `type:` name.
        public var typeName: String
        /// One line for `healthrun types`.
        public var summary: String
        /// Decodes the check's fields and builds the checker; throws ``ConfigValueError`` (or
        /// any error) for invalid fields.
        public var make: @Sendable (_ decoder: any Decoder) throws -> any Checker

        /// Creates a factory.
        public init(
            typeName: String,
            summary: String,
            make: @escaping @Sendable (_ decoder: any Decoder) throws -> any Checker
        ) {
            self.typeName = typeName
            self.summary = summary
            self.make = make
        }
    }

    private var factories: [String: Factory] = [:]
    /// Called for a `type:` no factory claims (executable plugins); `nil` when it is none.
    public var fallback: (@Sendable (_ typeName: String) -> Factory?)?
    /// The names ``fallback`` knows, for suggestions and `healthrun types`.
    public var fallbackNames: (@Sendable () -> [String])?
    /// Where ``fallback`` looked, said when a type is found nowhere.
    public var fallbackSearched: String?

    /// Creates an empty registry.
    public init() {}

    /// Registers a checker type; `make` builds it from its decoded configuration and may
    /// throw ``ConfigValueError`` to reject a value.
    public mutating func register<C: Checker>(
        _ type: C.Type,
        summary: String = "",
        make: @escaping @Sendable (C.Configuration) throws -> C
    ) {
        register(
            Factory(typeName: C.typeName, summary: summary) { decoder in
                try make(try C.Configuration(from: decoder))
            }
        )
    }

    /// Registers a factory; a later one replaces an earlier one of the same name.
    public mutating func register(_ factory: Factory) {
        factories[factory.typeName] = factory
    }

    /// The factory for a type name, including plugins found by ``fallback``.
    public func factory(for typeName: String) -> Factory? {
        factories[typeName] ?? fallback?(typeName)
    }

    /// Built-in and fallback (plugin) type names, sorted.
    public var allTypeNames: [String] { Array(Set(typeNames + (fallbackNames?() ?? []))).sorted() }

    /// Built-in type names, sorted.
    public var typeNames: [String] { factories.keys.sorted() }

    /// Built-in factories, sorted by name.
    public var all: [Factory] { factories.values.sorted { $0.typeName < $1.typeName } }
}
