import Yams

/// A JSON-shaped value: what checkers put in a result's `details` and what plugins exchange.
public enum DetailValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([DetailValue])
    case object([String: DetailValue])
    case null

    /// The number, for `.int` and `.double`.
    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        if let nodeDecoder = decoder as? NodeDecoder {
            self = try Self.decode(from: nodeDecoder)
            return
        }
        if let container = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var object: [String: DetailValue] = [:]
            for key in container.allKeys {
                object[key.stringValue] = try container.decode(DetailValue.self, forKey: key)
            }
            self = .object(object)
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var array: [DetailValue] = []
            while !container.isAtEnd { array.append(try container.decode(DetailValue.self)) }
            self = .array(array)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// YAML values keep their resolved type: `200` is a number, `"200"` a string.
    private static func decode(from decoder: NodeDecoder) throws -> DetailValue {
        switch decoder.node {
        case .mapping, .alias:
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            var object: [String: DetailValue] = [:]
            for key in container.allKeys {
                object[key.stringValue] = try container.decode(DetailValue.self, forKey: key)
            }
            return .object(object)
        case .sequence:
            var container = try decoder.unkeyedContainer()
            var array: [DetailValue] = []
            while !container.isAtEnd { array.append(try container.decode(DetailValue.self)) }
            return .array(array)
        case .scalar:
            let container = try decoder.singleValueContainer()
            switch decoder.scalarTag {
            case .null?: return .null
            case .bool?: return .bool(try container.decode(Bool.self))
            case .int?: return .int(try container.decode(Int.self))
            case .float?: return .double(try container.decode(Double.self))
            default: return .string(try container.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The value as plain text: strings without quotes, numbers and booleans as written.
    public var description: String {
        switch self {
        case .string(let value): return value
        case .int(let value): return String(value)
        case .double(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .bool(let value): return String(value)
        case .null: return "null"
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                + "}"
        }
    }

    /// The same value with `transform` applied to every string in it (keys included).
    public func mapStrings(_ transform: (String) -> String) -> DetailValue {
        switch self {
        case .string(let value): return .string(transform(value))
        case .array(let values): return .array(values.map { $0.mapStrings(transform) })
        case .object(let object):
            var mapped: [String: DetailValue] = [:]
            for (key, value) in object { mapped[transform(key)] = value.mapStrings(transform) }
            return .object(mapped)
        default: return self
        }
    }
}

extension DetailValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: DetailValue...) { self = .array(elements) }
}
