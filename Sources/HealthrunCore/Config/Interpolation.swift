import Foundation

/// `${VAR}` and `${VAR:-default}` in checks.d strings. `$${` writes a literal `${`.
public enum Interpolation {
    /// A variable that is not defined and has no default.
    public struct Undefined: Sendable, Hashable {
        /// The variable's name.
        public var name: String
        /// Offset of its `$` in the string, in characters.
        public var offset: Int
    }

    /// A `${…}` that is not well formed.
    public struct Malformed: Sendable, Hashable {
        /// What is wrong.
        public var message: String
        /// Offset of its `$` in the string, in characters.
        public var offset: Int
    }

    /// The result of expanding one string.
    public struct Expansion: Sendable {
        /// The string with every variable replaced (undefined ones by nothing).
        public var value: String
        /// Variables used, with the value each gave, in order of use.
        public var used: [(name: String, value: String)]
        /// Undefined variables.
        public var undefined: [Undefined]
        /// Malformed references.
        public var malformed: [Malformed]
    }

    /// Expands `text` against `environment`.
    public static func expand(_ text: String, environment: [String: String]) -> Expansion {
        var expansion = Expansion(value: "", used: [], undefined: [], malformed: [])
        // A byte scan: Foundation's `contains` on a String is a substring search.
        guard text.utf8.contains(UInt8(ascii: "$")) else {
            expansion.value = text
            return expansion
        }
        let characters = Array(text)
        var index = 0
        var output = ""
        while index < characters.count {
            let character = characters[index]
            guard character == "$", index + 1 < characters.count else {
                output.append(character)
                index += 1
                continue
            }
            if characters[index + 1] == "$", index + 2 < characters.count, characters[index + 2] == "{" {
                output.append("${")
                index += 3
                continue
            }
            guard characters[index + 1] == "{" else {
                output.append(character)
                index += 1
                continue
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                expansion.malformed.append(Malformed(message: "unterminated '${' (missing '}')", offset: index))
                output.append(contentsOf: characters[index...])
                break
            }
            let inner = String(characters[(index + 2)..<close])
            let name: String
            let fallback: String?
            if let separator = inner.range(of: ":-") {
                name = String(inner[..<separator.lowerBound])
                fallback = String(inner[separator.upperBound...])
            } else {
                name = inner
                fallback = nil
            }
            if !EnvFile.isValidName(name) {
                expansion.malformed.append(
                    Malformed(message: "invalid variable name '\(name)' in '${\(inner)}'", offset: index)
                )
            } else if let value = environment[name], !(value.isEmpty && fallback != nil) {
                output += value
                expansion.used.append((name, value))
            } else if let fallback {
                output += fallback
            } else {
                expansion.undefined.append(Undefined(name: name, offset: index))
            }
            index = close + 1
        }
        expansion.value = output
        return expansion
    }

    /// Whether a variable's name marks its value as a secret (KEY, TOKEN, SECRET, PASSWORD, PASS,
    /// CREDENTIAL, case-insensitive).
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASS", "CREDENTIAL"].contains { upper.contains($0) }
    }
}
