import Foundation
import HealthrunCore
import Logging

/// Each check's alert trackers (its own state and one per metric it has thresholds on), and the
/// dispatcher of the running configuration's channels (swapped on reload). Notices wait in the
/// store's outbox until a channel took them, so one that a shutdown cut off goes out after the
/// restart.
final class AlertCenter: Sendable {
    private let trackers: Locked<[String: CheckAlertState]>
    private let dispatcher: Locked<AlertDispatcher?>
    private let window: Duration
    private let backoff: Duration
    private let requestTimeout: Duration
    private let logger: Logger
    private let outbox: (any AlertOutbox)?
    /// Across reloads: a reload does not zero `/metrics`' alert counters.
    private let counterStore = Locked(AlertCounters())

    /// Creates the trackers from their stored states and the dispatcher for `configuration`,
    /// and queues what the outbox still holds.
    init(
        configuration: LoadedConfiguration, restoring states: [String: [UInt8]],
        undelivered: [(channel: String, envelope: AlertEnvelope)] = [], outbox: (any AlertOutbox)? = nil,
        window: Duration, backoff: Duration, requestTimeout: Duration = .seconds(10), logger: Logger
    ) {
        self.requestTimeout = requestTimeout
        self.window = window
        self.backoff = backoff
        self.logger = logger
        self.outbox = outbox
        var restored: [String: CheckAlertState] = [:]
        for (name, bytes) in states {
            restored[name] = CheckAlertState(stored: bytes)
        }
        trackers = Locked(restored)
        dispatcher = Locked(nil)
        let made = makeDispatcher(configuration)
        dispatcher.withLock { $0 = made }
        let channels = Set(configuration.alerting?.channelNames ?? [])
        for (channel, envelope) in undelivered {
            if let made, channels.contains(channel) {
                made.enqueue(envelope, keep: false, channels: [channel])
            } else {
                // The channel is gone from the configuration: nothing can send it.
                outbox?.forget([envelope.id], channel: channel)
            }
        }
        if !undelivered.isEmpty {
            logger.info("alerts from before the restart are queued again", metadata: ["count": "\(undelivered.count)"])
        }
    }

    private func makeDispatcher(_ configuration: LoadedConfiguration) -> AlertDispatcher? {
        guard let alerting = configuration.alerting, !alerting.channelNames.isEmpty else { return nil }
        return AlertDispatcher(
            configuration: alerting, redactor: configuration.redactor, logger: logger, window: window,
            backoff: backoff, attempts: 5, requestTimeout: requestTimeout, outbox: outbox, counters: counterStore)
    }

    /// A new configuration's channels; the old dispatcher sends what it has (for a bounded
    /// time), then stops.
    func reload(_ configuration: LoadedConfiguration) {
        let fresh = makeDispatcher(configuration)
        let old = dispatcher.withLock { current in
            defer { current = fresh }
            return current
        }
        if let old {
            Task { await old.stop(within: .seconds(30)) }
        }
    }

    /// Messages sent and failed, for `/metrics`.
    var counters: AlertCounters { counterStore.withLock { $0 } }

    /// Feeds a result to the check's trackers and queues what they notice; returns the check's
    /// new alert state to store when it changed.
    /// - Parameter carried: the check is a failover member whose group another member carries;
    ///   unless its policy says `on_carried: true`, its failure says nothing (the group's own
    ///   state alerts when no member carries it).
    func observe(_ result: CheckResult, check: CheckDefinition, at: Int64, carried: Bool = false) -> [UInt8]? {
        guard let policy = check.alert else { return nil }
        var observed = result
        if carried, !policy.onCarried, !result.status.isPassing { observed.status = .skipped }
        var bytes: [UInt8]?
        let notices = trackers.withLock { trackers in
            var state = trackers[check.name] ?? CheckAlertState()
            let notices = state.observe(observed, thresholds: check.thresholds, at: at, policy: policy)
            if state != trackers[check.name] {
                trackers[check.name] = state
                bytes = state.encoded
            }
            return notices
        }
        if !notices.isEmpty, let dispatcher = dispatcher.withLock({ $0 }) {
            for notice in notices {
                dispatcher.enqueue(
                    AlertNotice(
                        check: check.name, metric: notice.metric, level: notice.level, notice: notice.notice, at: at,
                        channels: policy.channels))
            }
        }
        return bytes
    }

    /// Where a group's alert state is stored (beside the checks' states).
    static func groupKey(_ group: String) -> String { "group:" + group }

    /// Feeds a failover group's result to its tracker, with the alert policy of its first member
    /// that has one (no member with `alert:`, no group alerts): `🔴 DOWN llm (group): …` when no
    /// member carries it. Returns the state to store when it changed.
    func observe(group: GroupResult, members: [CheckDefinition], at: Int64) -> [UInt8]? {
        guard let policy = group.members.lazy.compactMap({ name in members.first { $0.name == name }?.alert }).first
        else { return nil }
        let key = Self.groupKey(group.name)
        var bytes: [UInt8]?
        let notices = trackers.withLock { trackers in
            var state = trackers[key] ?? CheckAlertState()
            let notices = state.check.observe(group.status, message: group.message, at: at, policy: policy)
            if state != trackers[key] {
                trackers[key] = state
                bytes = state.encoded
            }
            return notices
        }
        if !notices.isEmpty, let dispatcher = dispatcher.withLock({ $0 }) {
            for notice in notices {
                dispatcher.enqueue(
                    AlertNotice(check: "\(group.name) (group)", notice: notice, at: at, channels: policy.channels))
            }
        }
        return bytes
    }

    /// Sends what is pending, for at most `limit` (retries included), and stops the dispatcher;
    /// what it could not send stays in the outbox.
    func stop(within limit: Duration) async {
        guard let dispatcher = dispatcher.withLock({ $0 }) else { return }
        await dispatcher.stop(within: limit)
    }
}
