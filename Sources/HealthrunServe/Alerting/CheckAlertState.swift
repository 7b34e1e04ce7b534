import Foundation
import HealthrunCore

/// What alerting remembers about one check: the tracker of its own state and one tracker per
/// metric it has thresholds on, each with the level (`warn`/`fail`) last announced. Stored with
/// the history, so a restart during a breach sends no second WARN.
struct CheckAlertState: Sendable, Hashable, Codable {
    /// A metric's breach state.
    struct MetricState: Sendable, Hashable, Codable {
        var tracker = AlertTracker()
        /// The level of the last WARN/FAIL sent, while breached.
        var announced: CheckStatus?
    }

    var check = AlertTracker()
    var metrics: [String: MetricState] = [:]

    init() {}

    /// Decodes a stored state; a bare tracker is what versions before metric alerts stored.
    init(stored bytes: [UInt8]) {
        let decoder = JSONDecoder()
        if let tracker = try? decoder.decode(AlertTracker.self, from: Data(bytes)) {
            check = tracker
        } else if let state = try? decoder.decode(CheckAlertState.self, from: Data(bytes)) {
            self = state
        }
    }

    var encoded: [UInt8]? { (try? JSONEncoder().encode(self)).map(Array.init) }

    /// A notice with the metric it is about.
    struct Noticed: Sendable, Hashable {
        var metric: String?
        var level: CheckStatus
        var notice: AlertTracker.Notice
    }

    /// Feeds one result to the check's tracker and to the tracker of every metric `thresholds`
    /// judge that the result reports (a metric it does not report says nothing).
    mutating func observe(
        _ result: CheckResult, thresholds: [Threshold], at now: Int64, policy: AlertPolicy
    ) -> [Noticed] {
        var noticed = check.observe(result.status, message: result.message, at: now, policy: policy).map {
            Noticed(metric: nil, level: .fail, notice: $0)
        }
        guard result.status != .skipped else { return noticed }
        for name in thresholds.metricNames {
            let reported = result.metrics.filter { $0.name == name }
            guard !reported.isEmpty else { continue }
            // The worst breach of any series of the metric, with every message at that level.
            var level: CheckStatus?
            var messages: [String] = []
            for metric in reported {
                for threshold in thresholds where threshold.metric == name {
                    guard let (status, message) = threshold.judge(metric) else { continue }
                    if status.severity > (level?.severity ?? -1) {
                        level = status
                        messages = []
                    }
                    if status == level, !messages.contains(message) { messages.append(message) }
                }
            }
            var state = metrics[name] ?? MetricState()
            let wasDown = state.tracker.isDown
            let message = messages.joined(separator: "; ")
            let notices = state.tracker.observe(level == nil ? .ok : .fail, message: message, at: now, policy: policy)
            for notice in notices {
                switch notice {
                case .down, .settled(true, _):
                    state.announced = level
                case .up, .settled(false, _):
                    state.announced = nil
                case .reminder, .flapping:
                    break
                }
                noticed.append(Noticed(metric: name, level: state.announced ?? level ?? .warn, notice: notice))
            }
            // A warn that became a fail while breached is announced again; back to warn is not.
            if notices.isEmpty, wasDown, state.tracker.isDown, !state.tracker.isFlapping, let level,
                level.severity > (state.announced?.severity ?? -1)
            {
                state.announced = level
                noticed.append(Noticed(metric: name, level: level, notice: .down(message: message)))
            }
            metrics[name] = state
        }
        return noticed
    }
}
