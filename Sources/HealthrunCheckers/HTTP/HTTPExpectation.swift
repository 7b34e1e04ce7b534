import Foundation
public import HealthrunCore
import NIOHTTP1

/// `expect:` of an http check.
public struct HTTPExpectation: Decodable, Sendable {
    /// Expected status; default any 2xx.
    public var status: StatusExpectation?
    /// Text the body must contain.
    public var bodyContains: String?
    /// A regular expression the body must match.
    public var bodyRegex: String?
    /// JSON paths and the values they must have.
    public var json: [String: DetailValue]?
    /// Response headers and their expected values (names case-insensitive).
    public var headers: [String: String]?

    enum CodingKeys: String, CodingKey {
        case status
        case bodyContains = "body_contains"
        case bodyRegex = "body_regex"
        case json
        case headers
    }

    /// Whether anything needs the body.
    var readsBody: Bool { bodyContains != nil || bodyRegex != nil || json != nil }

    /// Checks the regex and the JSON paths now, so mistakes are configuration errors.
    func validated() throws -> [(path: JSONPath, value: DetailValue)] {
        if let bodyRegex {
            do {
                _ = try NSRegularExpression(pattern: bodyRegex)
            } catch {
                // Foundation only says "the value is invalid"; Swift's own parser says why.
                let reason = Result { try Regex(bodyRegex) }.failureText
                throw ConfigValueError(
                    "invalid body_regex '\(bodyRegex)'" + (reason.isEmpty ? "" : ": \(reason)"),
                    field: ["expect", "body_regex"],
                    hint: "body_regex is an ICU regular expression; escape literal characters such as ( [ . with \\")
            }
        }
        var paths: [(JSONPath, DetailValue)] = []
        for (text, value) in (json ?? [:]).sorted(by: { $0.key < $1.key }) {
            do {
                paths.append((try JSONPath(text), value))
            } catch {
                var error = error
                error.field = ["expect", "json", text]
                throw error
            }
        }
        return paths
    }

    /// The first unmet expectation about the body and headers, in words, or `nil`.
    func problem(with response: FetchedResponse, jsonPaths: [(path: JSONPath, value: DetailValue)]) -> String? {
        for (name, expected) in (headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let actual = response.headers.first(name: name) else { return "header \(name) missing" }
            if actual.trimmingCharacters(in: .whitespaces) != expected {
                return "header \(name) is \"\(Snippet.of(Array(actual.utf8)))\", expected \"\(expected)\""
            }
        }
        guard readsBody else { return nil }
        let text = String(decoding: response.body, as: UTF8.self)
        let cut = response.truncated ? " (first \(ByteSize(bytes: response.body.count)) read; raise max_body)" : ""
        if let bodyContains, !text.contains(bodyContains) {
            return "body does not contain \"\(bodyContains)\"\(cut)"
        }
        if let bodyRegex, let regex = try? NSRegularExpression(pattern: bodyRegex),
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
        {
            return "body does not match /\(bodyRegex)/\(cut)"
        }
        if !jsonPaths.isEmpty {
            let document: DetailValue
            do {
                document = try JSONBody.parse(response.body, truncated: response.truncated)
            } catch {
                return "\(error)"
            }
            for (path, expected) in jsonPaths {
                guard let actual = path.evaluate(document) else { return "\(path) not found in the response" }
                if !Self.same(actual, expected) {
                    return "\(path) is \(Self.show(actual)), expected \(Self.show(expected))"
                }
            }
        }
        return nil
    }

    static func same(_ actual: DetailValue, _ expected: DetailValue) -> Bool {
        if actual == expected { return true }
        switch (actual, expected) {
        case (.array, _), (.object, _), (_, .array), (_, .object): return false
        default: return actual.description == expected.description
        }
    }

    static func show(_ value: DetailValue) -> String {
        if case .string(let text) = value { return "\"\(Snippet.of(Array(text.utf8), limit: 60))\"" }
        return Snippet.of(Array(value.description.utf8), limit: 60)
    }
}

extension Result where Failure == any Error {
    /// The error's text, or "" on success.
    fileprivate var failureText: String {
        if case .failure(let error) = self { return "\(error)" }
        return ""
    }
}
