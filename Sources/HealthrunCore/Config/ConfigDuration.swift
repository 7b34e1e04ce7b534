/// A duration field of checks.d (`timeout: 3s`), decoded from its text.
public struct ConfigDuration: Decodable, Sendable, Hashable, CustomStringConvertible {
    /// The parsed value.
    public var duration: Duration

    /// Wraps a duration.
    public init(_ duration: Duration) {
        self.duration = duration
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            duration = try DurationParser.parse(text)
        } catch {
            if Double(text.trimmingWhitespace()) != nil {
                // A timeout or latency of 500 most likely means milliseconds; of 3, or an
                // interval of 30, seconds.
                let key = decoder.codingPath.last?.stringValue ?? ""
                let isShortWait = key.contains("timeout") || key.contains("latency")
                let unit = isShortWait && (Double(text.trimmingWhitespace()) ?? 0) >= 100 ? "ms" : "s"
                throw ConfigValueError(
                    "duration '\(text)' has no unit",
                    hint: "add a unit, for example '\(text.trimmingWhitespace())\(unit)'")
            }
            throw ConfigValueError(error.description, hint: DurationParser.hint)
        }
        if duration < .zero { throw ConfigValueError("duration '\(text)' is negative") }
    }

    public var description: String { DurationParser.format(duration) }
}

/// A size in bytes (`max_body: 1MiB`, `64KiB`, `500kB`, or a plain number of bytes).
public struct ByteSize: Decodable, Sendable, Hashable, CustomStringConvertible {
    /// The number of bytes.
    public var bytes: Int

    /// Wraps a byte count.
    public init(bytes: Int) {
        self.bytes = bytes
    }

    private static let units: [String: Int] = [
        "": 1, "b": 1, "kb": 1000, "mb": 1_000_000, "gb": 1_000_000_000,
        "kib": 1024, "mib": 1 << 20, "gib": 1 << 30, "k": 1024, "m": 1 << 20, "g": 1 << 30,
    ]

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        let text = raw.trimmingWhitespace()
        let digits = text.prefix { $0.isNumber }
        let unit = String(text.dropFirst(digits.count)).trimmingWhitespace().lowercased()
        guard let number = Int(digits), let factor = Self.units[unit], number <= Int.max / factor else {
            throw ConfigValueError("invalid size '\(text)'", hint: "write a number of bytes or a size like 64KiB, 1MiB")
        }
        bytes = number * factor
    }

    public var description: String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
