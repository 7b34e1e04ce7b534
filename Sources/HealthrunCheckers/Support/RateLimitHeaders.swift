import Foundation
import HealthrunCore

/// Rate-limit headroom from an LLM API's response headers, as metrics. Anthropic sends
/// `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
/// (reset as an RFC 3339 time); OpenAI sends `x-ratelimit-{limit,remaining}-{requests,tokens}`
/// and `x-ratelimit-reset-{requests,tokens}` as Go durations (`1s`, `6m0s`, `12ms`). A header
/// that is absent or does not parse is left out; nothing here fails a check.
enum RateLimitHeaders {
    /// The metrics `headers` carry, in a fixed order.
    static func metrics(_ headers: [(name: String, value: String)], now: Date) -> [Metric] {
        var values: [String: String] = [:]
        for (name, value) in headers { values[name.lowercased()] = value.trimmingCharacters(in: .whitespaces) }
        func count(_ name: String) -> Double? {
            guard let text = values[name], let number = Double(text), number.isFinite, number >= 0 else { return nil }
            return number
        }
        var metrics: [Metric] = []
        var tokensRemaining: Double?
        var tokensLimit: Double?
        var tokensReset: Double?
        for kind in ["requests", "tokens", "input-tokens", "output-tokens"] {
            let metricKind = kind.replacingOccurrences(of: "-", with: "_")
            let unit: Metric.Unit = kind == "requests" ? .count : .tokens
            let remaining = count("anthropic-ratelimit-\(kind)-remaining") ?? count("x-ratelimit-remaining-\(kind)")
            let limit = count("anthropic-ratelimit-\(kind)-limit") ?? count("x-ratelimit-limit-\(kind)")
            if let remaining { metrics.append(Metric("ratelimit_\(metricKind)_remaining", remaining, unit: unit)) }
            if let limit { metrics.append(Metric("ratelimit_\(metricKind)_limit", limit, unit: unit)) }
            if kind == "tokens" {
                tokensRemaining = remaining
                tokensLimit = limit
                if let reset = values["anthropic-ratelimit-tokens-reset"], let at = rfc3339(reset) {
                    tokensReset = max(0, at.timeIntervalSince(now))
                } else if let reset = values["x-ratelimit-reset-tokens"], let seconds = goDuration(reset), seconds >= 0
                {
                    tokensReset = seconds
                }
            }
        }
        if let tokensRemaining, let tokensLimit, tokensLimit > 0 {
            metrics.append(
                Metric("ratelimit_tokens_remaining_ratio", min(1, tokensRemaining / tokensLimit), unit: .ratio))
        }
        if let tokensReset { metrics.append(Metric("ratelimit_tokens_reset_s", tokensReset, unit: .s)) }
        return metrics
    }

    /// The names `metrics` can report.
    static let metricNames = [
        "ratelimit_requests_remaining", "ratelimit_requests_limit", "ratelimit_tokens_remaining",
        "ratelimit_tokens_limit", "ratelimit_input_tokens_remaining", "ratelimit_input_tokens_limit",
        "ratelimit_output_tokens_remaining", "ratelimit_output_tokens_limit", "ratelimit_tokens_remaining_ratio",
        "ratelimit_tokens_reset_s",
    ]

    /// Seconds in a Go duration: `1s`, `6m0s`, `12ms`, `1h2m3.5s`, `250us`/`250µs`, `0`;
    /// nil for anything else.
    static func goDuration(_ text: String) -> Double? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
        ]
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // The longest unit that matches: `ms` before `m`.
            guard let (unit, scale) = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count })
            else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return negative ? -total : total
    }

    /// An RFC 3339 time, with or without fractional seconds.
    static func rfc3339(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
