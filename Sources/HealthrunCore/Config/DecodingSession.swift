import Yams

/// State shared by every ``NodeDecoder`` of one check: the file, the environment, the
/// redactor, which keys of which mappings were asked for, and problems found on the way
/// (undefined variables do not stop decoding, so all of them are reported).
final class DecodingSession {
    let file: String
    let environment: [String: String]
    let redactor: Redactor
    var diagnostics: [Diagnostic] = []
    /// When set, an optional field that fails to decode is recorded in ``optionalFailures`` and
    /// decodes as absent, so that one load reports every bad field of a check instead of the
    /// first. Only the checker's own fields are decoded this way; the caller drains the list.
    var collectsOptionalFailures = false
    var optionalFailures: [NodeDecodingFailure] = []
    /// The keys of a check that healthrun reads itself, whatever the type (see
    /// `Decoder.reservedCheckKeys`).
    var reservedCheckKeys: Set<String> = []
    /// Mappings opened as keyed containers, by their position, with the keys asked for.
    private(set) var openedMappings: [MappingID: OpenedMapping] = [:]
    private var visitedNodes = 0
    /// Alias expansion ("billion laughs") can make a small file into a huge tree.
    static let nodeBudget = 200_000

    init(file: String, environment: [String: String], redactor: Redactor) {
        self.file = file
        self.environment = environment
        self.redactor = redactor
    }

    func location(of node: Node) -> SourceLocation {
        location(of: node.mark)
    }

    func location(of mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0)
    }

    func visit(_ node: Node) throws {
        visitedNodes += 1
        if visitedNodes > Self.nodeBudget {
            throw NodeDecodingFailure(
                location: location(of: node),
                message: "document expands to more than \(Self.nodeBudget) values",
                hint: "check for aliases that expand recursively"
            )
        }
    }

    /// The record of `mapping`, made on first use: readers keep it and note each key they ask
    /// for, present or not (the keys asked for are the ones a misspelt key is compared with).
    @discardableResult
    func open(_ mapping: Node.Mapping) -> OpenedMapping {
        let id = Self.identity(of: mapping)
        if let opened = openedMappings[id] { return opened }
        let opened = OpenedMapping(mapping)
        openedMappings[id] = opened
        return opened
    }

    /// The record of a mapping that was opened, if it was.
    func opened(_ mapping: Node.Mapping) -> OpenedMapping? {
        openedMappings[Self.identity(of: mapping)]
    }

    /// A mapping that readers opened and the keys they asked for, in order, repeats included:
    /// a check's reader asks for a dozen keys or more, most of them absent, and appending a key
    /// costs less than hashing it into a set (the 10,000-check load, bench/README.md). Past
    /// 32 keys (a `headers:` map of thousands) the keys also go into a set, so that asking
    /// whether each key of a large mapping was touched stays linear.
    final class OpenedMapping {
        let mapping: Node.Mapping
        private(set) var touchedKeys: [String] = []
        private var touchedSet: Set<String>?

        private static let linearLimit = 32

        init(_ mapping: Node.Mapping) { self.mapping = mapping }

        func touch(_ key: String) {
            touchedKeys.append(key)
            if touchedSet != nil {
                touchedSet?.insert(key)
            } else if touchedKeys.count > Self.linearLimit {
                touchedSet = Set(touchedKeys)
            }
        }

        func wasTouched(_ key: String) -> Bool { touchedSet?.contains(key) ?? touchedKeys.contains(key) }

        /// The keys asked for, each once, in the order first asked.
        var knownKeys: [String] {
            var seen: Set<String> = []
            return touchedKeys.filter { seen.insert($0).inserted }
        }
    }

    /// A mapping's place in its file, which tells mappings of one file apart.
    struct MappingID: Hashable {
        var line: Int
        var column: Int
    }

    private static func identity(of mapping: Node.Mapping) -> MappingID {
        MappingID(line: mapping.mark?.line ?? 0, column: mapping.mark?.column ?? 0)
    }

    /// The scalar's text with `${VAR}` expanded; undefined variables are recorded, and values
    /// of secret-named variables are registered with the redactor.
    func expand(_ scalar: Node.Scalar) -> String {
        let expansion = Interpolation.expand(scalar.string, environment: environment)
        for (name, value) in expansion.used where Interpolation.isSecretName(name) {
            redactor.register(value)
        }
        for undefined in expansion.undefined {
            diagnostics.append(
                Diagnostic(
                    "undefined variable '\(undefined.name)'",
                    at: location(in: scalar, offset: undefined.offset),
                    hints: [
                        "set \(undefined.name) in the environment or the env file, or give a default: ${\(undefined.name):-value}"
                    ]
                )
            )
        }
        for malformed in expansion.malformed {
            diagnostics.append(
                Diagnostic(
                    malformed.message,
                    at: location(in: scalar, offset: malformed.offset),
                    hints: ["write ${NAME} or ${NAME:-default}; write $${ for a literal ${"]
                )
            )
        }
        return expansion.value
    }

    /// Points into a one-line plain or quoted scalar; elsewhere at the scalar's start.
    private func location(in scalar: Node.Scalar, offset: Int) -> SourceLocation {
        var result = location(of: scalar.mark)
        guard !scalar.string.prefix(offset).contains("\n"), result.column > 0 else { return result }
        switch scalar.style {
        case .plain: result.column += offset
        case .singleQuoted, .doubleQuoted: result.column += offset + 1
        default: break
        }
        return result
    }
}

/// A decoding problem with its place in the file.
struct NodeDecodingFailure: Error {
    var location: SourceLocation
    var message: String
    var hint: String?
    /// For "missing required key": the key.
    var missingKey: String?

    var diagnostic: Diagnostic {
        Diagnostic(message, at: location, hints: hint.map { [$0] } ?? [])
    }
}
