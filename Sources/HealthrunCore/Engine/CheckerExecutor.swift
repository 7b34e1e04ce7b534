import Foundation

/// Runs checker bodies on threads of their own, so that a checker that blocks (a blocking
/// syscall, a C library) cannot starve the cooperative pool that runs the engine's timers.
/// The pool grows on demand up to ``maximumThreads`` when every thread is busy.
public final class CheckerExecutor: TaskExecutor, @unchecked Sendable {
    /// A pool shared by every engine in the process, like NIO's singleton event loop group. It
    /// starts no thread until a checker that may block runs: a run of HTTP checks, which run
    /// on the event loops, started four threads here for nothing (a quarter of a millisecond of
    /// a one-check run's start, bench/README.md).
    public static let shared = CheckerExecutor(initialThreads: 0, maximumThreads: 64)

    /// The most threads the pool will start.
    public let maximumThreads: Int

    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var head = 0
    private var threadCount = 0
    private var idleThreads = 0

    /// Creates a pool with `initialThreads` threads that may grow to `maximumThreads` (with
    /// none, the first job starts the first thread).
    public init(initialThreads: Int = 4, maximumThreads: Int = 64) {
        self.maximumThreads = max(1, maximumThreads)
        condition.lock()
        for _ in 0..<min(max(0, initialThreads), self.maximumThreads) { startThread() }
        condition.unlock()
    }

    /// The threads the pool has started so far.
    public var startedThreads: Int {
        condition.lock()
        defer { condition.unlock() }
        return threadCount
    }

    /// Called with the lock held. A plain detached pthread, as the deadline timer's: it asks for
    /// no Foundation `Thread` object or thread dictionary.
    private func startThread() {
        threadCount += 1
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let unmanaged = Unmanaged.passRetained(self)
        let result = pthread_create(
            &thread, &attributes,
            { argument in
                let executor = Unmanaged<CheckerExecutor>.fromOpaque(argument!).takeRetainedValue()
                pthread_setspecific(CheckerExecutor.marker, UnsafeRawPointer(bitPattern: 1))
                executor.workerLoop()
                return nil
            }, unmanaged.toOpaque())
        pthread_attr_destroy(&attributes)
        precondition(result == 0, "cannot start a checker thread: \(result)")
    }

    /// Set on the pool's threads.
    private static let marker: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "cannot create a thread-specific key")
        return key
    }()

    /// Whether the calling thread is a thread of a checker executor (for tests and assertions).
    public static func isCurrentThreadAnExecutorThread() -> Bool {
        pthread_getspecific(marker) != nil
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        // More jobs waiting than idle threads to take them: a thread that was signalled but has
        // not yet dequeued still counts as idle, so comparing with zero idle threads would start
        // none during a burst and queue checkers behind blocked ones.
        if queue.count - head > idleThreads, threadCount < maximumThreads {
            startThread()
        }
        condition.signal()
        condition.unlock()
    }

    private func workerLoop() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            idleThreads += 1
            while head >= queue.count { condition.wait() }
            idleThreads -= 1
            let job = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}
