import Foundation
import HealthrunCore
import Logging

/// Each check's alert tracker, and the dispatcher of the running configuration's channels
/// (swapped on reload).
final class AlertCenter: Sendable {
    private let trackers: Locked<[String: AlertTracker]>
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
        var restored: [String: AlertTracker] = [:]
        for (name, bytes) in states {
            if let tracker = try? JSONDecoder().decode(AlertTracker.self, from: Data(bytes)) {
                restored[name] = tracker
            }
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

    /// Feeds a result to the check's tracker and queues what it notices; returns the tracker's
    /// new state to store when it changed.
    func observe(_ result: CheckResult, check: CheckDefinition, at: Int64) -> [UInt8]? {
        guard let policy = check.alert else { return nil }
        var bytes: [UInt8]?
        let notices = trackers.withLock { trackers in
            var tracker = trackers[check.name] ?? AlertTracker()
            let notices = tracker.observe(result.status, message: result.message, at: at, policy: policy)
            if tracker != trackers[check.name] {
                trackers[check.name] = tracker
                bytes = (try? JSONEncoder().encode(tracker)).map(Array.init)
            }
            return notices
        }
        if !notices.isEmpty, let dispatcher = dispatcher.withLock({ $0 }) {
            for notice in notices {
                dispatcher.enqueue(AlertNotice(check: check.name, notice: notice, at: at, channels: policy.channels))
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
