public import NIOCore
import NIOPosix

/// Runs Swift tasks on a SwiftNIO event loop: a checker whose I/O is on that loop then sends
/// its request and takes its answer without waking another thread, as a single-threaded tool
/// like curl does. Only for work that never blocks: a blocked loop stalls its connections.
public final class EventLoopExecutor: TaskExecutor {
    /// The loop the tasks run on.
    public let eventLoop: any EventLoop

    /// An executor over `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// One executor for each loop of the event loop group the built-in checkers use
    /// (``HTTPClientProvider``'s client, tcp, certificate probes): the engine's
    /// `nonBlockingExecutors`.
    public static let forSharedEventLoops: [EventLoopExecutor] = MultiThreadedEventLoopGroup.singleton
        .makeIterator().map(EventLoopExecutor.init)
}
