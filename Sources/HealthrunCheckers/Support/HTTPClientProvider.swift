public import AsyncHTTPClient
import NIOCore
import NIOPosix
import Synchronization

/// One HTTP client per run, made on first use and shared by every HTTP-speaking checker.
/// Its pool allows as many connections per host as the run has checks in flight; it neither
/// retries refused connections nor follows redirects (the fetcher does, bounded).
public final class HTTPClientProvider: Sendable {
    private let state = Mutex<HTTPClient?>(nil)
    private let connectionsPerHost: Int

    /// Creates a provider for a run of at most `concurrency` checks in flight.
    public init(concurrency: Int) {
        connectionsPerHost = max(8, concurrency)
    }

    /// The client, created on first use.
    public var client: HTTPClient {
        state.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost
            )
            configuration.connectionPool.retryConnectionEstablishment = false
            let made = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            client = made
            return made
        }
    }

    /// Shuts the client down, waiting at most `limit` for requests abandoned at their deadline.
    public func shutdown(waitingAtMost limit: Duration = .seconds(2)) async {
        guard
            let client = state.withLock({ client -> HTTPClient? in
                defer { client = nil }
                return client
            })
        else { return }
        let shutdown = Task { try? await client.shutdown() }
        let timer = Task { try? await Task.sleep(for: limit) }
        _ = await (
            Task {
                await shutdown.value; timer.cancel()
            }.value, timer.value
        )
    }
}
