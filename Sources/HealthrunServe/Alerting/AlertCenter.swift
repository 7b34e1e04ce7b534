import Foundation
import HealthrunCore
import Logging

/// Each check's alert trackers (its own state and one per metric it has thresholds on), and the
/// dispatcher of the running configuration's channels (swapped on reload).
final class AlertCenter: Sendable {
    private let trackers: Locked<[String: CheckAlertState]>
    private let dispatcher: Locked<AlertDispatcher?>
    private let window: Duration
    private let backoff: Duration
    private let logger: Logger

    /// Creates the trackers from their stored states and the dispatcher for `configuration`.
    init(
        configuration: LoadedConfiguration, restoring states: [String: [UInt8]], window: Duration,
        backoff: Duration, logger: Logger
    ) {
        self.window = window
        self.backoff = backoff
        self.logger = logger
        var restored: [String: CheckAlertState] = [:]
        for (name, bytes) in states {
            restored[name] = CheckAlertState(stored: bytes)
        }
        trackers = Locked(restored)
        dispatcher = Locked(nil)
        dispatcher.withLock { $0 = makeDispatcher(configuration) }
    }

    private func makeDispatcher(_ configuration: LoadedConfiguration) -> AlertDispatcher? {
        guard let alerting = configuration.alerting, !alerting.channelNames.isEmpty else { return nil }
        return AlertDispatcher(
            configuration: alerting, redactor: configuration.redactor, logger: logger, window: window,
            backoff: backoff)
    }

    /// A new configuration's channels; the old dispatcher sends what it has, then stops.
    func reload(_ configuration: LoadedConfiguration) {
        let fresh = makeDispatcher(configuration)
        let old = dispatcher.withLock { current in
            defer { current = fresh }
            return current
        }
        if let old {
            Task {
                await old.flush()
                await old.shutdown()
            }
        }
    }

    /// Messages sent and failed, for `/metrics`.
    var counters: AlertDispatcher.Counters {
        dispatcher.withLock { $0 }?.counters ?? AlertDispatcher.Counters()
    }

    /// Feeds a result to the check's trackers and queues what they notice; returns the check's
    /// new alert state to store when it changed.
    func observe(_ result: CheckResult, check: CheckDefinition, at: Int64) -> [UInt8]? {
        guard let policy = check.alert else { return nil }
        var bytes: [UInt8]?
        let notices = trackers.withLock { trackers in
            var state = trackers[check.name] ?? CheckAlertState()
            let notices = state.observe(result, thresholds: check.thresholds, at: at, policy: policy)
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

    /// Sends what is pending, for at most `limit` (retries included), and stops the dispatcher.
    func flush(within limit: Duration) async {
        guard let dispatcher = dispatcher.withLock({ $0 }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.flush() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        await dispatcher.shutdown()
    }
}
