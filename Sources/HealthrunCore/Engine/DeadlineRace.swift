/// How one attempt ended.
enum AttemptEnd: Sendable {
    case returned(CheckOutcome)
    case threw(any Error)
    case timedOut
    case cancelled
}

/// Resumes one continuation once, with the first value offered, whether the value or the
/// continuation arrives first.
final class FirstValue<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case ready(Value)
        case delivered
    }

    private let state = Locked<State>(.empty)

    func offer(_ value: Value) {
        let continuation: CheckedContinuation<Value, Never>? = state.withLock { state in
            switch state {
            case .empty:
                state = .ready(value)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .ready, .delivered:
                return nil
            }
        }
        continuation?.resume(returning: value)
    }

    func wait() async -> Value {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
            let ready: Value? = state.withLock { state in
                if case .ready(let value) = state {
                    state = .delivered
                    return value
                }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

enum DeadlineRace {
    /// Runs `operation` on `executor` (nil: the shared pool) and returns whichever comes first:
    /// its result, the deadline, or cancellation of the caller. The losing work is cancelled
    /// and never awaited, so a checker that ignores cancellation cannot hold the run past its
    /// deadline. The deadline is kept by ``DeadlineTimer``'s own thread, which no checker can
    /// hold up.
    static func run(
        deadline: ContinuousClock.Instant,
        executor: (any TaskExecutor)?,
        operation: @escaping @Sendable () async throws -> CheckOutcome
    ) async -> AttemptEnd {
        let first = FirstValue<AttemptEnd>()
        let work = Task(executorPreference: executor) {
            do {
                first.offer(.returned(try await operation()))
            } catch {
                first.offer(.threw(error))
            }
        }
        let timer = DeadlineTimer.shared.schedule(at: deadline) { first.offer(.timedOut) }
        let end = await withTaskCancellationHandler {
            await first.wait()
        } onCancel: {
            first.offer(.cancelled)
        }
        DeadlineTimer.shared.cancel(timer)
        work.cancel()
        return end
    }
}
