/// At most `limit` holders at once; the others wait in arrival order. The engine's in-flight
/// limit: one gate per engine, shared by every run of it (a one-shot run, or all of serve's
/// ticks), so the limit holds across them.
package final class ConcurrencyGate: Sendable {
    private let state: Locked<(available: Int, waiters: [CheckedContinuation<Void, Never>])>

    package init(limit: Int) {
        state = Locked((max(1, limit), []))
    }

    /// Takes a free slot if there is one, without waiting.
    package func tryAcquire() -> Bool {
        state.withLock { state in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
    }

    /// Waits for a slot. Not cancellable: slots come back as the holders' deadlines pass.
    package func acquire() async {
        // The common case takes a free slot without suspending.
        if tryAcquire() { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    package func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
