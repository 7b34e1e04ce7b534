import Foundation

/// A seeded mutator for fuzz tests: the same seed gives the same inputs on every machine.
public struct Fuzzer: Sendable {
    /// SplitMix64.
    public struct Generator: RandomNumberGenerator, Sendable {
        private var state: UInt64

        public init(seed: UInt64) {
            state = seed
        }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The seed (`HEALTHRUN_FUZZ_SEED`, default 20261125) and case count
    /// (`HEALTHRUN_FUZZ_ITERATIONS`, default `defaultIterations`).
    public static func settings(defaultIterations: Int = 300) -> (seed: UInt64, iterations: Int) {
        let environment = ProcessInfo.processInfo.environment
        return (
            UInt64(environment["HEALTHRUN_FUZZ_SEED"] ?? "") ?? 20_261_125,
            Int(environment["HEALTHRUN_FUZZ_ITERATIONS"] ?? "") ?? defaultIterations
        )
    }

    /// Pieces that tend to break parsers of YAML, `${…}`, JSON and perfdata.
    public static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", ": ", "- ", "&a ", "*a", "<<: *a", "!!binary ", "? ", "|", ">", "#", "\"", "'", "\\",
        "${", "${X", "${X:-", "$${", "}", "\t", "\n", "\r\n", "\u{0}", "\u{FEFF}", "---\n", "...\n", "%YAML 1.1\n",
        "=", ";", "|", "'quoted label'=", "U", "1e400", "-0", "NaN", "null", "~", "true", "0x1F", "1m30s", "5 sex",
        "$.", "$[", "['", "[99999999999]", "\u{202E}", "é", "🔥", "\u{1B}[31m", "<script>",
    ].map { Array($0.utf8) }

    var generator: Generator

    /// Creates a fuzzer.
    public init(seed: UInt64) {
        generator = Generator(seed: seed)
    }

    /// A random integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }

    /// `input` with 1–8 random mutations.
    public mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<int(1...8) {
            let position = bytes.isEmpty ? 0 : int(0...bytes.count)
            switch int(0...9) {
            case 0 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] ^= UInt8(1 << int(0...7))
            case 1, 2, 3:
                bytes.insert(contentsOf: Self.tokens[int(0...Self.tokens.count - 1)], at: position)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + int(1...40))
                bytes.removeSubrange(min(position, end)..<end)
            case 5 where !bytes.isEmpty:
                let start = int(0...bytes.count - 1)
                let piece = Array(bytes[start..<min(bytes.count, start + int(1...200))])
                bytes.insert(contentsOf: piece, at: position)
            case 6:
                bytes = Array(bytes.prefix(position))
            case 7:
                bytes.insert(
                    contentsOf: [UInt8](repeating: UInt8(ascii: "a"), count: int(1000...100_000)), at: position)
            case 8:
                bytes.insert(contentsOf: [0xC3, 0x28, 0xFF, 0xFE][...int(0...3)], at: position)
            default:
                bytes.insert(UInt8(int(0...255)), at: position)
            }
        }
        return bytes
    }
}
