public import AsyncHTTPClient
import HealthrunCore
import NIOCore
import NIOPosix

/// The HTTP clients of a run, made on first use and shared by every HTTP-speaking checker:
/// one for each event loop of SwiftNIO's shared group, used by checks that run on that loop
/// (the engine's `nonBlockingExecutors`), and one over the whole group for callers on any
/// other thread. A client per loop keeps a check's connection on the loop its task runs on,
/// and keeps each connection pool to a share of the connections: AsyncHTTPClient's pool
/// copies its list of connections as each one is established, so one pool of 1,000
/// connections to a host costs a quadratic amount of CPU (bench/README.md).
/// Each pool allows as many connections per host as the run has checks in flight; none
/// retries refused connections or follows redirects (the fetcher does, bounded).
public final class HTTPClientProvider: Sendable {
    private struct Clients {
        var shared: HTTPClient?
        var perLoop: [ObjectIdentifier: HTTPClient] = [:]

        var all: [HTTPClient] { (shared.map { [$0] } ?? []) + Array(perLoop.values) }
    }

    private let state = Locked(Clients())
    private let connectionsPerHost: Int
    /// The loops of the shared group, which get a client each (made on first use: a run
    /// without HTTP checks starts no event loop).
    private static let sharedLoops = Set(EventLoopExecutor.forSharedEventLoops.map { ObjectIdentifier($0.eventLoop) })

    /// Creates a provider for a run of at most `concurrency` checks in flight.
    public init(concurrency: Int) {
        connectionsPerHost = max(8, concurrency)
    }

    /// The client for the calling thread: its event loop's, or the shared one.
    public var client: HTTPClient {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, Self.sharedLoops.contains(ObjectIdentifier(loop)) {
            return state.withLock { clients in
                if let client = clients.perLoop[ObjectIdentifier(loop)] { return client }
                let made = makeClient(on: loop)
                clients.perLoop[ObjectIdentifier(loop)] = made
                return made
            }
        }
        return state.withLock { clients in
            if let client = clients.shared { return client }
            let made = makeClient(on: MultiThreadedEventLoopGroup.singleton)
            clients.shared = made
            return made
        }
    }

    private func makeClient(on group: any EventLoopGroup) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        // No tracing: with a tracer (even the no-op default) every request parses its URL
        // twice more for span attributes nobody reads.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: group, configuration: configuration)
    }

    /// Shuts the clients down, waiting at most `limit` for requests abandoned at their deadline
    /// (a TLS handshake that never completes would otherwise hold the exit for 30 s).
    public func shutdown(waitingAtMost limit: Duration = .milliseconds(500)) async {
        let clients = state.withLock { clients -> [HTTPClient] in
            defer { clients = Clients() }
            return clients.all
        }
        guard !clients.isEmpty else { return }
        let done = Locked<CheckedContinuation<Void, Never>?>(nil)
        let resume: @Sendable () -> Void = {
            done.withLock { continuation in
                continuation?.resume()
                continuation = nil
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            done.withLock { $0 = continuation }
            Task {
                await withTaskGroup(of: Void.self) { group in
                    for client in clients { group.addTask { try? await client.shutdown() } }
                }
                resume()
            }
            Task {
                try? await Task.sleep(for: limit)
                resume()
            }
        }
    }
}
