import Foundation

/// One notice about one check, as it goes out.
public struct AlertNotice: Sendable, Hashable {
    /// The check.
    public var check: String
    /// What happened.
    public var notice: AlertTracker.Notice
    /// When (Unix ms).
    public var at: Int64
    /// Channel names to send it to.
    public var channels: [String]

    /// Creates a notice.
    public init(check: String, notice: AlertTracker.Notice, at: Int64, channels: [String]) {
        self.check = check
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

    /// One line a person reads: `DOWN postgres: connection refused to 127.0.0.1:5432`.
    public var line: String {
        switch notice {
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
