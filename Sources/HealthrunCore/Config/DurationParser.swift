/// Parses and prints the durations of checks.d: `250ms`, `3s`, `1m30s`, `1h`, `1.5s`.
public enum DurationParser {
    /// Why a duration did not parse, in words for a diagnostic.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    private static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9),
    ]

    /// The hint shown under a bad duration.
    public static let hint = "write a number with a unit: ms, s, m or h (for example 250ms, 3s, 1m30s)"

    /// Parses `text`; a run of `number unit` pairs with no spaces, like Go's `time.ParseDuration`.
    public static func parse(_ text: String) throws(Failure) -> Duration {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw Failure(description: "empty duration") }
        let scalars = Array(trimmed.unicodeScalars)
        var index = 0
        var total: Double = 0
        while index < scalars.count {
            let numberStart = index
            while index < scalars.count, scalars[index].properties.numericType != nil || scalars[index] == "." {
                index += 1
            }
            let numberText = String(String.UnicodeScalarView(scalars[numberStart..<index]))
            guard let number = Double(numberText), numberText.first != "." || numberText.count > 1 else {
                throw Failure(description: "invalid duration '\(text)'")
            }
            while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
            let unitStart = index
            while index < scalars.count, scalars[index].properties.isAlphabetic || scalars[index] == "µ" {
                index += 1
            }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            if unit.isEmpty {
                throw Failure(description: "duration '\(text)' has no unit")
            }
            guard let factor = units.first(where: { $0.suffix == unit })?.nanoseconds else {
                throw Failure(description: "invalid duration '\(text)': unknown unit '\(unit)'")
            }
            total += number * factor
        }
        guard total.isFinite, total < 1e18 else { throw Failure(description: "duration '\(text)' is too long") }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// Prints a duration the way a person writes it: `250ms`, `3s`, `1m30s`, `2h`, `1.5s`.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms < 1000 {
            return ms == ms.rounded() ? "\(Int(ms))ms" : "\(Int(ms * 1000))µs"
        }
        let totalSeconds = ms / 1000
        if totalSeconds < 60 {
            let whole = totalSeconds.rounded()
            if abs(totalSeconds - whole) < 0.0005 { return "\(Int(whole))s" }
            return "\((totalSeconds * 1000).rounded() / 1000)s"
        }
        var seconds = Int(totalSeconds.rounded())
        var parts = ""
        if seconds >= 3600 {
            parts += "\(seconds / 3600)h"
            seconds %= 3600
        }
        if seconds >= 60 {
            parts += "\(seconds / 60)m"
            seconds %= 60
        }
        if seconds > 0 { parts += "\(seconds)s" }
        return parts
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
