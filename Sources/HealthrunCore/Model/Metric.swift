/// A number a check measured, kept with its result: `status_code 200`, `cert_expiry_days 41`,
/// `tokens_in_today 2,400,000 tokens {model: sonnet}`. Latency is the result's own duration,
/// not a metric.
public struct Metric: Sendable, Hashable {
    /// What the number counts.
    public enum Unit: String, Sendable, Hashable, CaseIterable {
        case ms, s, bytes, tokens, usd, ratio, count
    }

    /// snake_case: `[a-z][a-z0-9_]*`.
    public var name: String
    /// The value (finite).
    public var value: Double
    /// The unit, when it has one.
    public var unit: Unit?
    /// A small map telling series of one name apart (`model`, `window`).
    public var labels: [String: String]
    /// The status of the threshold this value breached (warn or fail), set by the engine.
    public var breach: CheckStatus?

    /// Creates a metric.
    public init(
        _ name: String, _ value: Double, unit: Unit? = nil, labels: [String: String] = [:], breach: CheckStatus? = nil
    ) {
        self.name = name
        self.value = value
        self.unit = unit
        self.labels = labels
        self.breach = breach
    }

    /// `status_code 200`, `body_bytes 1,234 bytes`: name and value, for one line of text.
    public var summary: String { "\(seriesName) \(formattedValue)" }

    /// Whether `name` is a valid metric name: `[a-z][a-z0-9_]*`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    /// A valid name made from any label (a Nagios perfdata label such as `free /`, a SQL column
    /// `TokensIn`): lower case, every other character `_`, runs of `_` collapsed, a leading
    /// `m_` when it does not start with a letter. `nil` when nothing is left.
    public static func name(from text: String) -> String? {
        var result = ""
        for scalar in text.lowercased().unicodeScalars {
            let keep = scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar))
            if keep {
                result.unicodeScalars.append(scalar)
            } else if !result.isEmpty, !result.hasSuffix("_") {
                result += "_"
            }
        }
        while result.hasSuffix("_") { result.removeLast() }
        guard let first = result.unicodeScalars.first else { return nil }
        return ("a"..."z").contains(first) ? result : "m_" + result
    }

    /// `84,000 tokens`, `2.4M tokens`, `84%`, `$12.5`, `350 ms`: the value as people read it.
    public var formattedValue: String {
        Self.format(value, unit: unit)
    }

    /// A number in `unit` as people read it (see ``formattedValue``).
    public static func format(_ value: Double, unit: Unit?) -> String {
        switch unit {
        case .ratio: return compact(value * 100) + "%"
        case .usd: return (value < 0 ? "-$" : "$") + compact(abs(value))
        case .none, .count: return compact(value)
        case .some(let unit): return compact(value) + " " + unit.rawValue
        }
    }

    /// `2.4M` from a million up, `84,000` for whole numbers, else at most three decimals.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        if magnitude >= 1_000_000_000 { return sign + trimmed(magnitude / 1_000_000_000, places: 1) + "G" }
        if magnitude >= 1_000_000 { return sign + trimmed(magnitude / 1_000_000, places: 1) + "M" }
        if magnitude == magnitude.rounded() {
            var digits = String(Int(magnitude))
            var grouped = ""
            while digits.count > 3 {
                grouped = "," + digits.suffix(3) + grouped
                digits.removeLast(3)
            }
            return sign + digits + grouped
        }
        return sign + trimmed(magnitude, places: 3)
    }

    private static func trimmed(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `name{key=value,…}`: the series a metric belongs to, for messages.
    public var seriesName: String {
        labels.isEmpty
            ? name
            : name + "{"
                + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",") + "}"
    }
}
