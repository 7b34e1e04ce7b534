import HealthrunCore

/// `expect.status`: `200`, `[200, 204]` or `"2xx"` (classes and codes may be mixed in a list).
public struct StatusExpectation: Decodable, Sendable, Hashable, CustomStringConvertible {
    enum Rule: Sendable, Hashable {
        case code(Int)
        case family(Int)
    }

    let rules: [Rule]

    /// Any 2xx status.
    public static let success = StatusExpectation(rules: [.family(2)])

    init(rules: [Rule]) {
        self.rules = rules
    }

    public init(from decoder: any Decoder) throws {
        let value = try DetailValue(from: decoder)
        let items: [DetailValue]
        if case .array(let array) = value { items = array } else { items = [value] }
        guard !items.isEmpty else { throw ConfigValueError("empty status list", hint: Self.hint) }
        rules = try items.map(Self.rule)
    }

    static let hint = "write a status such as 200, a list such as [200, 204], or a class such as \"2xx\""

    private static func rule(_ item: DetailValue) throws -> Rule {
        switch item {
        case .int(let code) where (100...599).contains(code):
            return .code(code)
        case .string(let text):
            let lower = text.lowercased()
            if lower.count == 3, lower.hasSuffix("xx"), let digit = Int(lower.prefix(1)), (1...5).contains(digit) {
                return .family(digit)
            }
            if let code = Int(text), (100...599).contains(code) { return .code(code) }
            throw ConfigValueError("invalid status '\(text)'", hint: hint)
        default:
            throw ConfigValueError("invalid status '\(item)'", hint: hint)
        }
    }

    /// Whether `status` is expected.
    public func matches(_ status: Int) -> Bool {
        rules.contains { rule in
            switch rule {
            case .code(let code): status == code
            case .family(let digit): status / 100 == digit
            }
        }
    }

    /// `200`, `200 or 204`, `2xx`.
    public var description: String {
        rules.map { rule in
            switch rule {
            case .code(let code): "\(code)"
            case .family(let digit): "\(digit)xx"
            }
        }.joined(separator: " or ")
    }
}
