import Foundation
import HealthrunCore
import Logging

/// Keeps results until the next batch, commits batches to the store about every
/// `batchInterval`, and prunes old history every `pruneInterval`.
final class HistoryWriter: Sendable {
    private let store: ResultStore
    private let state: LiveState
    private let options: ServeRuntime.Options
    private let logger: Logger
    private let pending = Locked(WriteBatch())
    /// A database that stays unwritable (a full disk) must not grow memory without bound.
    static let pendingLimit = 100_000

    init(store: ResultStore, state: LiveState, options: ServeRuntime.Options, logger: Logger) {
        self.store = store
        self.state = state
        self.options = options
        self.logger = logger
    }

    /// Adds a result, the state change it made and the check's new alert state to the batch.
    func add(_ result: StoredResult, change: StateChange?, alertState: (check: String, bytes: [UInt8])?) {
        pending.withLock { batch in
            batch.results.append(result)
            if let change { batch.changes.append(change) }
            if let alertState { batch.alertStates[alertState.check] = alertState.bytes }
        }
    }

    /// Adds an alert state that no result carries (a group's).
    func addAlertState(key: String, bytes: [UInt8]) {
        pending.withLock { $0.alertStates[key] = bytes }
    }

    func writeLoop() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: options.batchInterval)
            } catch {
                return
            }
            await commitPending()
        }
    }

    /// Commits the pending batch; on failure it is kept for the next try.
    func commitPending() async {
        let batch = pending.withLock { batch in
            defer { batch = WriteBatch() }
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.write(batch)
            if let problem = state.storeProblem {
                logger.warning("history writes resumed", metadata: ["after": "\(problem)"])
            }
            state.recordBatch(size: batch.results.count)
        } catch {
            // One line when writing stops working, not one a second; /readyz and /metrics say
            // it for as long as it lasts. Checks and alerts go on from memory meanwhile.
            if state.recordWriteFailure(ResultStore.describe(error)) {
                logger.error(
                    "could not write history; checks and alerts go on, results are kept in memory until it works",
                    metadata: ["error": "\(ResultStore.describe(error))"])
            }
            pending.withLock { newer in
                var merged = batch
                merged.append(newer)
                // Keep the newest results, as memory already shows them.
                if merged.results.count > Self.pendingLimit {
                    let dropped = merged.results.count - Self.pendingLimit
                    merged.results.removeFirst(dropped)
                    logger.error(
                        "history writes keep failing; dropped the oldest results", metadata: ["count": "\(dropped)"])
                }
                newer = merged
            }
        }
    }

    func pruneLoop() async {
        while !Task.isCancelled {
            do {
                let deleted = try await store.prune(now: options.now(), retention: options.retention)
                if deleted > 0 { logger.info("pruned history", metadata: ["rows": "\(deleted)"]) }
            } catch {
                logger.error("could not prune history", metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: options.pruneInterval)
            } catch {
                return
            }
        }
    }
}

/// The outbox lives in the store; its rows go in the next batch, removals after additions.
extension HistoryWriter: AlertOutbox {
    func keep(_ envelope: AlertEnvelope, channel: String) {
        guard let bytes = try? JSONEncoder().encode(envelope) else { return }
        pending.withLock { $0.outboxAdded.append((envelope.id, channel, Array(bytes))) }
    }

    func forget(_ ids: [String], channel: String) {
        pending.withLock { batch in
            for id in ids { batch.outboxRemoved.append((id, channel)) }
        }
    }
}
