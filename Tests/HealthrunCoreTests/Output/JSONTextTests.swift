import Foundation
import Testing

@testable import HealthrunCore

@Suite struct JSONTextTests {
    /// Every scalar through the escaping loop: the fast path, which appends text that needs no
    /// escape whole, must give the same bytes.
    static func reference(_ text: String) -> String {
        var result = "\""
        JSONText.escapeEachScalar(text, into: &result)
        return result + "\""
    }

    @Test(arguments: [
        "", "plain", "ünïcödé 🚀", "a\"b", "back\\slash", "\u{0}", "\u{1B}[31m red", "del\u{7F}", "line\u{2028}sep",
        "\u{2029}", "€ 100", "\u{2027}", "end\n", "\r\n\t", "ends with E2 \u{2000}",
    ])
    func quotingMatchesTheScalarLoopAndParsesBack(text: String) throws {
        let quoted = JSONText.quoted(text)
        #expect(quoted == Self.reference(text))
        let parsed = try JSONSerialization.jsonObject(with: Data(("[" + quoted + "]").utf8)) as? [String]
        #expect(parsed == [text])
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
    }

    @Test func randomTextQuotesLikeTheScalarLoop() {
        let alphabet: [Unicode.Scalar] = [
            "a", "z", " ", "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}", "\u{2027}", "€", "é",
            "🚀", "\u{80}", "\u{E000}",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<3000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<(next() % 24) { text.append(alphabet[next() % alphabet.count]) }
            let string = String(text)
            #expect(JSONText.quoted(string) == Self.reference(string), "\(Array(string.unicodeScalars))")
            #expect(
                JSONText.object([(string, .string(string))]).compact()
                    == "{" + Self.reference(string) + ":" + Self.reference(string) + "}")
        }
    }
}
