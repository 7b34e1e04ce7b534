#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a pthread mutex, used across healthrun instead of `Synchronization.Mutex`:
/// on Linux that Mutex waits on a futex that Thread Sanitizer does not see, so TSan reported
/// races inside the lock (in CI, on the plugin process-group set). pthread mutexes it does see.
/// Return codes are checked as swift-log's `Locks.swift` does; debug builds use an
/// error-checking mutex, so locking twice on one thread traps instead of deadlocking.
package final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init(_ value: Value) {
        stored = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        #if DEBUG
            pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        #endif
        let err = pthread_mutex_init(mutex, &attributes)
        precondition(err == 0, "pthread_mutex_init failed: \(err)")
    }

    deinit {
        let err = pthread_mutex_destroy(mutex)
        precondition(err == 0, "pthread_mutex_destroy failed: \(err)")
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// A copy of the value.
    package var value: Value { withLock { $0 } }

    /// Runs `body` with the value, holding the lock.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        let err = pthread_mutex_lock(mutex)
        precondition(err == 0, "pthread_mutex_lock failed: \(err)")
        defer {
            let err = pthread_mutex_unlock(mutex)
            precondition(err == 0, "pthread_mutex_unlock failed: \(err)")
        }
        return try body(&stored)
    }
}
