import HealthrunCore

/// One channel's notices waiting to be sent, bounded by coalescing: per check (and metric) only
/// the last two stay — enough for a DOWN and the UP after it, in order — and a reminder replaces
/// the reminder before it. So the queue never holds more than two notices per check and metric,
/// whatever the receiver's state.
final class ChannelQueue: Sendable {
    let name: String
    /// Wakes the channel's sender; one pending wake is enough.
    let signals: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let state = Locked<(entries: [AlertEnvelope], busy: Bool)>(([], false))

    /// Notices kept per check and metric.
    static let perKey = 2

    init(name: String) {
        self.name = name
        (signals, wakeUp) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Appends `envelope`; returns the ids of the notices it replaced.
    func add(_ envelope: AlertEnvelope) -> [String] {
        let replaced = state.withLock { state -> [String] in
            let key = Key(envelope.notice)
            var replaced: [String] = []
            if case .reminder = envelope.notice.notice,
                let last = state.entries.lastIndex(where: { Key($0.notice) == key }),
                case .reminder = state.entries[last].notice.notice
            {
                replaced.append(state.entries.remove(at: last).id)
            }
            while state.entries.filter({ Key($0.notice) == key }).count >= Self.perKey,
                let first = state.entries.firstIndex(where: { Key($0.notice) == key })
            {
                replaced.append(state.entries.remove(at: first).id)
            }
            state.entries.append(envelope)
            state.busy = true
            return replaced
        }
        wakeUp.yield()
        return replaced
    }

    /// Takes everything queued, oldest first.
    func take() -> [AlertEnvelope] {
        state.withLock { state in
            defer { state.entries = [] }
            return state.entries
        }
    }

    /// The sender is done with what it took; busy again if more came meanwhile.
    func idle() {
        state.withLock { $0.busy = !$0.entries.isEmpty }
    }

    /// Whether notices wait or are being sent.
    var isBusy: Bool { state.withLock { $0.busy } }

    /// Wakes the sender (a flush), also when nothing is queued.
    func wake() {
        if isBusy { wakeUp.yield() }
    }

    private struct Key: Hashable {
        var check: String
        var metric: String?

        init(_ notice: AlertNotice) {
            check = notice.check
            metric = notice.metric
        }
    }
}
