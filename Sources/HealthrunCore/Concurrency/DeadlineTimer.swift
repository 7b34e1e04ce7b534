#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thread that fires the deadlines of every attempt in the process, in deadline order.
///
/// A timer per attempt as a task and a `Task.sleep` cost a task, a dispatch timer and two
/// thread wake-ups each; here an attempt costs a lock and a heap insertion, and the thread
/// sleeps until the earliest deadline (attempts of one run mostly have the same timeout, so
/// a new deadline is seldom the earliest and wakes nobody). The thread is its own: no
/// checker, blocked or busy, can delay it, so a deadline fires on time even when the
/// cooperative pool or an event loop is starved.
package final class DeadlineTimer: @unchecked Sendable {
    /// The process's timer thread, started on first use.
    package static let shared = DeadlineTimer()

    /// A scheduled action; ``DeadlineTimer/cancel(_:)`` stops it from running.
    package struct Token: Sendable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var id: UInt64
        var action: @Sendable () -> Void
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// A binary min-heap by deadline.
    private var heap: [Entry] = []
    /// Ids of the entries in the heap that were not cancelled; a cancelled entry stays in the
    /// heap until its deadline or a rebuild.
    private var scheduled: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private var started = false

    private init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Waits measured on the monotonic clock: a wall-clock step cannot stretch a deadline.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        precondition(pthread_cond_init(condition, &attributes) == 0)
        pthread_condattr_destroy(&attributes)
    }

    /// Runs `action` on the timer thread once `deadline` has passed, unless cancelled first.
    /// Keep `action` short: it delays the deadlines after it.
    package func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Token {
        pthread_mutex_lock(mutex)
        if !started {
            started = true
            startThread()
        }
        nextID &+= 1
        let id = nextID
        let wasEarliest = heap.first.map { deadline < $0.deadline } ?? true
        push(Entry(deadline: deadline, id: id, action: action))
        scheduled.insert(id)
        pthread_mutex_unlock(mutex)
        if wasEarliest { pthread_cond_signal(condition) }
        return Token(id: id)
    }

    /// Stops the action of `token` from running; nothing happens when it already ran.
    package func cancel(_ token: Token) {
        pthread_mutex_lock(mutex)
        scheduled.remove(token.id)
        // Entries leave the heap when their deadline comes; when most of it is cancelled
        // entries (a run of many quick checks with long timeouts), rebuild it instead.
        if heap.count > 512, scheduled.count * 2 < heap.count {
            heap.removeAll { !scheduled.contains($0.id) }
            for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        }
        pthread_mutex_unlock(mutex)
    }

    /// How many entries the heap holds, cancelled ones included (for tests).
    package var storedEntries: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return heap.count
    }

    private func startThread() {
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Small stack: the thread only runs short actions.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        let unmanaged = Unmanaged.passRetained(self)
        let result = pthread_create(
            &thread, &attributes,
            { argument in
                let timer = Unmanaged<DeadlineTimer>.fromOpaque(argument!).takeRetainedValue()
                timer.loop()
                return nil
            }, unmanaged.toOpaque())
        pthread_attr_destroy(&attributes)
        precondition(result == 0, "cannot start the deadline timer thread: \(result)")
    }

    private func loop() {
        pthread_mutex_lock(mutex)
        var due: [@Sendable () -> Void] = []
        while true {
            let now = ContinuousClock.now
            while let first = heap.first {
                if !scheduled.contains(first.id) {
                    _ = pop()
                } else if first.deadline <= now {
                    scheduled.remove(first.id)
                    due.append(pop().action)
                } else {
                    break
                }
            }
            if !due.isEmpty {
                pthread_mutex_unlock(mutex)
                for action in due { action() }
                due.removeAll(keepingCapacity: true)
                pthread_mutex_lock(mutex)
                continue
            }
            if let first = heap.first {
                var until = timespec()
                clock_gettime(CLOCK_MONOTONIC, &until)
                let (seconds, attoseconds) = now.duration(to: first.deadline).components
                let nanoseconds = Int(until.tv_nsec) + Int(attoseconds / 1_000_000_000)
                until.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
                until.tv_nsec = nanoseconds % 1_000_000_000
                pthread_cond_timedwait(condition, mutex, &until)
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
    }

    // MARK: The heap (called with the mutex held)

    private func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop() -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return top
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1].deadline < heap[left].deadline { smallest = left + 1 }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
