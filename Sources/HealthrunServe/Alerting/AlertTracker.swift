public import HealthrunCore

/// One check's alert state: a pure state machine fed each result, saying what to announce.
/// It is saved with the history, so a restart while a check is down sends no second DOWN.
public struct AlertTracker: Sendable, Hashable, Codable {
    /// Something worth a message.
    public enum Notice: Sendable, Hashable, Codable {
        /// Failed `after` times in a row.
        case down(message: String)
        /// Passed `resolve_after` times in a row after being down for the given milliseconds.
        case up(downForMs: Int64)
        /// Still down, `remind` after the last message.
        case reminder(message: String, downForMs: Int64)
        /// Changed state 6 or more times in its last 21 results; muted until it settles.
        case flapping
        /// Stopped flapping; now down or up.
        case settled(isDown: Bool, message: String)
    }

    /// Changes of state within the last `flapWindow` results that make a check flap.
    public static let flapThreshold = 6
    /// How many recent results the flap detection looks at.
    public static let flapWindow = 21

    /// Whether a DOWN has been announced and no UP since.
    public private(set) var isDown = false
    /// When the failure streak that made it down started (Unix ms).
    public private(set) var downSince: Int64?
    /// Failures in a row.
    public private(set) var failures = 0
    /// Passes in a row.
    public private(set) var passes = 0
    /// When the last DOWN or reminder went out.
    public private(set) var lastNotifiedAt: Int64?
    /// Whether it is muted for flapping.
    public private(set) var isFlapping = false
    /// Pass/fail of the last results, oldest first.
    public private(set) var history: [Bool] = []
    private var streakStartedAt: Int64?

    /// A fresh tracker: up, nothing announced.
    public init() {}

    /// Changes of state in the recent history.
    public var recentChanges: Int {
        zip(history, history.dropFirst()).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
    }

    /// Feeds one result; skipped results (a fallback not needed, a failed dependency) say
    /// nothing about the check and change nothing.
    public mutating func observe(
        _ status: CheckStatus, message: String, at now: Int64, policy: AlertPolicy
    ) -> [Notice] {
        guard status != .skipped else { return [] }
        let passing = status.isPassing
        history.append(passing)
        if history.count > Self.flapWindow { history.removeFirst(history.count - Self.flapWindow) }
        if passing {
            passes += 1
            if failures > 0 { failures = 0 }
        } else {
            if failures == 0 { streakStartedAt = now }
            failures += 1
            passes = 0
        }

        if isFlapping {
            // Settled once the last after + resolve_after results agree.
            let quiet = policy.after + policy.resolveAfter
            guard history.count >= quiet, Set(history.suffix(quiet)).count == 1 else { return [] }
            isFlapping = false
            // Count changes afresh from here, or the old ones would flag it again at once.
            history = Array(history.suffix(quiet))
            if passing {
                isDown = false
                downSince = nil
            } else if !isDown {
                isDown = true
                downSince = streakStartedAt
            }
            lastNotifiedAt = now
            return [.settled(isDown: isDown, message: message)]
        }
        if recentChanges >= Self.flapThreshold {
            isFlapping = true
            return [.flapping]
        }
        if passing {
            guard isDown, passes >= policy.resolveAfter else { return [] }
            let downFor = now - (downSince ?? now)
            isDown = false
            downSince = nil
            lastNotifiedAt = now
            return [.up(downForMs: downFor)]
        }
        if !isDown {
            guard failures >= policy.after else { return [] }
            isDown = true
            downSince = streakStartedAt ?? now
            lastNotifiedAt = now
            return [.down(message: message)]
        }
        if let remind = policy.remind, let last = lastNotifiedAt, now - last >= remind.wholeMilliseconds {
            lastNotifiedAt = now
            return [.reminder(message: message, downForMs: now - (downSince ?? now))]
        }
        return []
    }
}
