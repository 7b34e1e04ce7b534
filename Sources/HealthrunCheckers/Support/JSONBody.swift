import Foundation
import HealthrunCore

/// Parses a response body as JSON into ``DetailValue``, with a message quoting the first bytes
/// when it is not JSON.
enum JSONBody {
    static func parse(_ body: [UInt8], truncated: Bool = false) throws -> DetailValue {
        if truncated {
            throw CheckFailure("response body larger than max_body; cannot parse it as JSON")
        }
        guard !body.isEmpty else { throw CheckFailure("empty response body, expected JSON") }
        do {
            return try JSONDecoder().decode(DetailValue.self, from: Data(body))
        } catch {
            throw CheckFailure("invalid JSON in response: \(Snippet.of(body, limit: 80))")
        }
    }
}

extension DetailValue {
    /// The value at a dotted path of keys and array indexes (`choices.0.delta.content`), if any.
    func value(at path: String) -> DetailValue? {
        var current = self
        for key in path.split(separator: ".") {
            if let index = Int(key) {
                guard case .array(let items) = current, items.indices.contains(index) else { return nil }
                current = items[index]
            } else {
                guard case .object(let object) = current, let next = object[String(key)] else { return nil }
                current = next
            }
        }
        return current
    }

    /// The string at `path`, if it is one.
    func string(at path: String) -> String? {
        guard case .string(let text)? = value(at: path) else { return nil }
        return text
    }

    /// The number at `path`, if it is one.
    func number(at path: String) -> Double? {
        value(at: path)?.number
    }

    /// The items of the array at `path`; empty when it is not one.
    func items(at path: String) -> [DetailValue] {
        guard case .array(let items)? = value(at: path) else { return [] }
        return items
    }
}
