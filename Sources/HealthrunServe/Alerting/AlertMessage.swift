import Foundation
public import HealthrunCore

/// One notice about one check, or about one metric of a check crossing its thresholds, as it
/// goes out.
public struct AlertNotice: Sendable, Hashable, Codable {
    /// The check.
    public var check: String
    /// The metric whose thresholds this is about; nil for the check's own state.
    public var metric: String?
    /// How bad a breach is (`warn` or `fail`); `fail` for the check's own state.
    public var level: CheckStatus
    /// What happened.
    public var notice: AlertTracker.Notice
    /// When (Unix ms).
    public var at: Int64
    /// Channel names to send it to.
    public var channels: [String]

    /// Creates a notice.
    public init(
        check: String, metric: String? = nil, level: CheckStatus = .fail, notice: AlertTracker.Notice, at: Int64,
        channels: [String]
    ) {
        self.check = check
        self.metric = metric
        self.level = level
        self.notice = notice
        self.at = at
        self.channels = channels
    }

    /// `down`, `up`, `reminder`, `flapping` or `settled`.
    public var state: String {
        switch notice {
        case .down: "down"
        case .up: "up"
        case .reminder: "reminder"
        case .flapping: "flapping"
        case .settled(let isDown, _): isDown ? "down" : "up"
        }
    }

    /// One line a person reads: `🔴 DOWN postgres: connection refused to 127.0.0.1:5432`, or for a
    /// metric `🟠 WARN gigachat-balance: balance 84,000 tokens < 100,000`.
    public var line: String {
        if let metric { return metricLine(metric) }
        return switch notice {
        case .down(let message):
            "🔴 DOWN \(check): \(message)"
        case .up(let ms):
            "🟢 UP \(check) after \(Self.formatDuration(ms)) down"
        case .reminder(let message, let ms):
            "🔴 STILL DOWN \(check) for \(Self.formatDuration(ms)): \(message)"
        case .flapping:
            "🟠 FLAPPING \(check): changed state \(AlertTracker.flapThreshold)+ times in its last "
                + "\(AlertTracker.flapWindow) results; muted until it settles"
        case .settled(let isDown, let message):
            isDown
                ? "🔴 DOWN \(check) (stopped flapping): \(message)" : "🟢 UP \(check) (stopped flapping)"
        }
    }

    private func metricLine(_ metric: String) -> String {
        let breach = level == .fail ? "🔴 FAIL" : "🟠 WARN"
        switch notice {
        case .down(let message):
            return "\(breach) \(check): \(message)"
        case .up(let ms):
            return "🟢 OK \(check): \(metric) within its thresholds again after \(Self.formatDuration(ms))"
        case .reminder(let message, let ms):
            return
                "\(level == .fail ? "🔴 STILL FAIL" : "🟠 STILL WARN") \(check) for \(Self.formatDuration(ms)): \(message)"
        case .flapping:
            return "🟠 FLAPPING \(check): \(metric) crossed its thresholds \(AlertTracker.flapThreshold)+ times in the "
                + "last \(AlertTracker.flapWindow) results; muted until it settles"
        case .settled(let isDown, let message):
            return isDown
                ? "\(breach) \(check) (stopped flapping): \(message)"
                : "🟢 OK \(check): \(metric) within its thresholds (stopped flapping)"
        }
    }

    /// The text of one message holding several notices.
    public static func text(for notices: [AlertNotice]) -> String {
        if notices.count == 1 { return notices[0].line }
        return "healthrun: \(notices.count) changes\n" + notices.map(\.line).joined(separator: "\n")
    }

    /// `45s`, `5m`, `2h 5m`, `3d 4h`.
    public static func formatDuration(_ ms: Int64) -> String {
        let seconds = max(0, ms / 1000)
        if seconds < 60 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 24 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h \(minutes % 60)m" }
        return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d \(hours % 24)h"
    }
}
