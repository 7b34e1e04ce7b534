/// A bound on a metric of a check (the `thresholds:` list): judged after the checker's own
/// verdict, so a breach can turn ok into warn or fail, never a fail into less.
///
/// ```yaml
/// thresholds:
///   - metric: cert_expiry_days
///     warn_below: 21
///     fail_below: 7
///   - metric: tokens_in_today
///     labels: {model: sonnet}   # optional; every label set of the metric when absent
///     warn_above: 2000000
/// ```
public struct Threshold: Sendable, Hashable, Decodable {
    /// The metric's name.
    public var metric: String
    /// Only series with these labels; all when empty.
    public var labels: [String: String]
    /// Below this: warn.
    public var warnBelow: Double?
    /// Below this: fail.
    public var failBelow: Double?
    /// Above this: warn.
    public var warnAbove: Double?
    /// Above this: fail.
    public var failAbove: Double?

    enum CodingKeys: String, CodingKey {
        case metric, labels
        case warnBelow = "warn_below"
        case failBelow = "fail_below"
        case warnAbove = "warn_above"
        case failAbove = "fail_above"
    }

    /// Creates a threshold.
    public init(
        metric: String, labels: [String: String] = [:], warnBelow: Double? = nil, failBelow: Double? = nil,
        warnAbove: Double? = nil, failAbove: Double? = nil
    ) {
        self.metric = metric
        self.labels = labels
        self.warnBelow = warnBelow
        self.failBelow = failBelow
        self.warnAbove = warnAbove
        self.failAbove = failAbove
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metric = try container.decode(String.self, forKey: .metric)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        warnBelow = try container.decodeIfPresent(Double.self, forKey: .warnBelow)
        failBelow = try container.decodeIfPresent(Double.self, forKey: .failBelow)
        warnAbove = try container.decodeIfPresent(Double.self, forKey: .warnAbove)
        failAbove = try container.decodeIfPresent(Double.self, forKey: .failAbove)
        guard Metric.isValidName(metric) else {
            throw ConfigValueError(
                "invalid metric name '\(metric)'", field: ["metric"],
                hint: "metric names are snake_case, like 'cert_expiry_days'")
        }
        guard warnBelow != nil || failBelow != nil || warnAbove != nil || failAbove != nil else {
            throw ConfigValueError(
                "threshold on '\(metric)' has no bound", field: [],
                hint: "add warn_below, fail_below, warn_above or fail_above")
        }
        if let warnBelow, let failBelow, warnBelow < failBelow {
            throw ConfigValueError(
                "warn_below (\(Metric.compact(warnBelow))) is below fail_below (\(Metric.compact(failBelow)))",
                field: ["warn_below"], hint: "as the value falls, warn comes first: warn_below ≥ fail_below")
        }
        if let warnAbove, let failAbove, warnAbove > failAbove {
            throw ConfigValueError(
                "warn_above (\(Metric.compact(warnAbove))) is above fail_above (\(Metric.compact(failAbove)))",
                field: ["warn_above"], hint: "as the value rises, warn comes first: warn_above ≤ fail_above")
        }
        let lowest = [warnBelow, failBelow].compactMap { $0 }.max()
        let highest = [warnAbove, failAbove].compactMap { $0 }.min()
        if let lowest, let highest, lowest > highest {
            throw ConfigValueError(
                "every value of '\(metric)' breaches: below \(Metric.compact(lowest)) and above "
                    + "\(Metric.compact(highest)) overlap",
                field: [], hint: "the *_below bounds must be under the *_above bounds")
        }
    }

    /// Whether `metric` is one this threshold judges.
    public func applies(to metric: Metric) -> Bool {
        metric.name == self.metric && labels.allSatisfy { metric.labels[$0.key] == $0.value }
    }

    /// The breach `metric` makes, if any: `fail` over `warn`, with a message naming metric,
    /// value, bound and unit (`tokens_in_today 2.4M tokens > 2M`).
    public func judge(_ metric: Metric) -> (status: CheckStatus, message: String)? {
        guard applies(to: metric) else { return nil }
        let value = metric.value
        func breach(_ status: CheckStatus, _ sign: String, _ bound: Double) -> (CheckStatus, String) {
            // The bound without the unit the value already named, unless it is part of the number.
            let unit = metric.unit == .ratio || metric.unit == .usd ? metric.unit : nil
            return (status, "\(metric.seriesName) \(metric.formattedValue) \(sign) \(Metric.format(bound, unit: unit))")
        }
        if let failBelow, value < failBelow { return breach(.fail, "<", failBelow) }
        if let failAbove, value > failAbove { return breach(.fail, ">", failAbove) }
        if let warnBelow, value < warnBelow { return breach(.warn, "<", warnBelow) }
        if let warnAbove, value > warnAbove { return breach(.warn, ">", warnAbove) }
        return nil
    }
}

extension CheckOutcome {
    /// The outcome with `thresholds` judged on its metrics: each breach can raise the status
    /// (never lower it) and is added to the message. Returns the thresholds no metric matched.
    public mutating func judge(_ thresholds: [Threshold]) -> [Threshold] {
        var unjudged: [Threshold] = []
        var breaches: [String] = []
        for threshold in thresholds {
            var matched = false
            for index in metrics.indices where threshold.applies(to: metrics[index]) {
                matched = true
                guard let (status, message) = threshold.judge(metrics[index]) else { continue }
                breaches.append(message)
                if status.severity > (metrics[index].breach?.severity ?? -1) { metrics[index].breach = status }
                if status.severity > self.status.severity { self.status = status }
            }
            if !matched { unjudged.append(threshold) }
        }
        if !breaches.isEmpty { message += "; " + breaches.joined(separator: "; ") }
        return unjudged
    }
}

extension [Threshold] {
    /// The metrics these thresholds judge, each once, in order of first mention.
    public var metricNames: [String] {
        var names: [String] = []
        for threshold in self where !names.contains(threshold.metric) { names.append(threshold.metric) }
        return names
    }
}
