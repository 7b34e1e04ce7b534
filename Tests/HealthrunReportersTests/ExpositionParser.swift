/// A strict parser of the Prometheus text exposition format, for checking what the reporter
/// writes: HELP and TYPE before samples, valid names, escaped label values, numeric values.
enum ExpositionParser {
    struct Family {
        var name: String
        var help: String
        var type: String
        var samples: [(labels: [String: String], value: Double)]
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> [Family] {
        guard text.hasSuffix("\n") else { throw Invalid(description: "missing final newline") }
        var families: [Family] = []
        for (number, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let where_ = "line \(number + 1)"
            if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                guard parts.count == 2, isName(parts[0]) else { throw Invalid(description: "\(where_): bad HELP") }
                families.append(Family(name: String(parts[0]), help: String(parts[1]), type: "", samples: []))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, String(parts[0]) == families.last?.name,
                    ["gauge", "counter", "untyped"].contains(parts[1]),
                    families.last?.type == ""
                else { throw Invalid(description: "\(where_): TYPE must follow its HELP") }
                families[families.count - 1].type = String(parts[1])
            } else {
                var rest = Substring(line)
                let name = rest.prefix { $0 != "{" && $0 != " " }
                guard isName(name), String(name) == families.last?.name, families.last?.type != "" else {
                    throw Invalid(description: "\(where_): sample '\(name)' outside its family")
                }
                rest = rest.dropFirst(name.count)
                var labels: [String: String] = [:]
                if rest.first == "{" {
                    rest.removeFirst()
                    while rest.first != "}" {
                        let labelName = rest.prefix { $0 != "=" }
                        guard isName(labelName), rest.dropFirst(labelName.count).hasPrefix("=\"") else {
                            throw Invalid(description: "\(where_): bad label")
                        }
                        rest = rest.dropFirst(labelName.count + 2)
                        var value = ""
                        while true {
                            guard let character = rest.first else {
                                throw Invalid(description: "\(where_): unterminated label")
                            }
                            rest.removeFirst()
                            if character == "\"" { break }
                            if character == "\\" {
                                switch rest.first {
                                case "\\": value.append("\\")
                                case "\"": value.append("\"")
                                case "n": value.append("\n")
                                default: throw Invalid(description: "\(where_): bad escape")
                                }
                                rest.removeFirst()
                            } else {
                                value.append(character)
                            }
                        }
                        labels[String(labelName)] = value
                        if rest.first == "," { rest.removeFirst() }
                    }
                    rest.removeFirst()
                }
                guard rest.first == " ", let value = Double(rest.dropFirst()) else {
                    throw Invalid(description: "\(where_): bad value")
                }
                families[families.count - 1].samples.append((labels, value))
            }
        }
        return families
    }

    static func isName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first,
            first == "_" || first == ":" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == ":" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}
