public import HealthrunCore

/// The small JSONPath of `expect.json`: `$`, `.key`, `['key']`, `[index]`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    let steps: [Step]
    /// The path as written.
    public let description: String

    /// Parses a path; throws a message for a malformed one.
    public init(_ text: String) throws(ConfigValueError) {
        description = text
        var characters = Substring(text)
        guard characters.first == "$" else {
            throw ConfigValueError(
                "JSON path '\(text)' must start with '$'", hint: "for example '$.status' or '$.data[0].id'")
        }
        characters.removeFirst()
        var steps: [Step] = []
        while let first = characters.first {
            if first == "." {
                characters.removeFirst()
                let key = characters.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { throw ConfigValueError("JSON path '\(text)' has an empty key") }
                steps.append(.key(String(key)))
                characters.removeFirst(key.count)
            } else if first == "[" {
                guard let close = characters.firstIndex(of: "]") else {
                    throw ConfigValueError("JSON path '\(text)' has an unclosed '['")
                }
                let inner = characters[characters.index(after: characters.startIndex)..<close]
                if let index = Int(inner), index >= 0 {
                    steps.append(.index(index))
                } else if inner.count >= 2, let quote = inner.first, quote == "'" || quote == "\"", inner.last == quote
                {
                    steps.append(.key(String(inner.dropFirst().dropLast())))
                } else {
                    throw ConfigValueError("JSON path '\(text)' has an invalid subscript '[\(inner)]'")
                }
                characters = characters[characters.index(after: close)...]
            } else {
                throw ConfigValueError(
                    "JSON path '\(text)': unexpected '\(first)'", hint: "for example '$.status' or '$.data[0].id'")
            }
        }
        self.steps = steps
    }

    /// The value at this path, or `nil` when it is not there.
    public func evaluate(_ value: DetailValue) -> DetailValue? {
        var current = value
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let array)):
                guard array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}
