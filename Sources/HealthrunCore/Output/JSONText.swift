/// A JSON value with ordered object keys, so reports read in schema order.
package enum JSONText {
    case string(String)
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    /// Serialises with two-space indentation.
    package func rendered(indent: Int = 0) -> String {
        var output = ""
        write(into: &output, indent: indent)
        return output
    }

    /// Serialises on one line, without spaces (APIs, Server-Sent Events).
    package func compact() -> String {
        var output = ""
        writeCompact(into: &output)
        return output
    }

    private func writeCompact(into output: inout String) {
        switch self {
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.writeCompact(into: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.quote(key, into: &output)
                output += ":"
                value.writeCompact(into: &output)
            }
            output += "}"
        default:
            write(into: &output, indent: 0)
        }
    }

    private func write(into output: inout String, indent: Int) {
        switch self {
        case .string(let value): Self.quote(value, into: &output)
        case .number(let value):
            if value.isFinite {
                output += value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
            } else {
                output += "null"
            }
        case .integer(let value): output += String(value)
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let values):
            if values.isEmpty {
                output += "[]"
                return
            }
            if values.allSatisfy(\.isScalar) {
                output += "["
                for (index, value) in values.enumerated() {
                    if index > 0 { output += ", " }
                    value.write(into: &output, indent: 0)
                }
                output += "]"
                return
            }
            output += "[\n"
            for (index, value) in values.enumerated() {
                Self.indent(indent + 1, into: &output)
                value.write(into: &output, indent: indent + 1)
                output += index == values.count - 1 ? "\n" : ",\n"
            }
            Self.indent(indent, into: &output)
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            output += "{\n"
            for (index, (key, value)) in members.enumerated() {
                Self.indent(indent + 1, into: &output)
                Self.quote(key, into: &output)
                output += ": "
                value.write(into: &output, indent: indent + 1)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            Self.indent(indent, into: &output)
            output += "}"
        }
    }

    /// Two spaces per level, appended in place (a report of 10,000 results has 200,000 lines).
    private static func indent(_ level: Int, into output: inout String) {
        for _ in 0..<level { output += "  " }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    package static func quoted(_ text: String) -> String {
        var result = ""
        quote(text, into: &result)
        return result
    }

    /// `text` escaped as inside a JSON string, without the quotes.
    package static func escaped(_ text: String) -> String {
        guard needsEscaping(text) else { return text }
        var result = ""
        escapeEachScalar(text, into: &result)
        return result
    }

    /// Appends `text` as a JSON string. Most text (names, messages, times) needs no escape and is
    /// appended whole; the scalar loop runs only for text that does.
    static func quote(_ text: String, into output: inout String) {
        output += "\""
        if needsEscaping(text) {
            escapeEachScalar(text, into: &output)
        } else {
            output += text
        }
        output += "\""
    }

    /// The slow path: one scalar at a time, escaping what JSON and JavaScript need escaped.
    static func escapeEachScalar(_ text: String, into output: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }

    /// Whether `text` holds a quote, a backslash, a control character or U+2028/U+2029 (whose
    /// UTF-8 starts with E2 80 A8/A9).
    private static func needsEscaping(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            for index in bytes.indices {
                let byte = bytes[index]
                if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F { return true }
                if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
                    bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
                {
                    return true
                }
            }
            return false
        }
    }
}

extension JSONText {
    /// A detail value as JSON; object keys sorted.
    public init(_ value: DetailValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .int(let number): self = .integer(number)
        case .double(let number): self = .number(number)
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .array(let values): self = .array(values.map(JSONText.init))
        case .object(let object):
            self = .object(object.sorted { $0.key < $1.key }.map { ($0.key, JSONText($0.value)) })
        }
    }
}

extension Unicode.Scalar {
    /// Bidirectional formatting characters (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069):
    /// invisible, they reorder the text around them, so `gnp.exe` can show as `exe.png`
    /// ("Trojan Source"). Pages and terminals show them escaped, like control characters.
    package var isBidiControl: Bool {
        switch value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
