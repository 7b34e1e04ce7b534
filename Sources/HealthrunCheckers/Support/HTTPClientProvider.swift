public import AsyncHTTPClient
import HealthrunCore
import NIOCore
import NIOPosix

/// One HTTP client per run, made on first use and shared by every HTTP-speaking checker.
/// Its pool allows as many connections per host as the run has checks in flight; it neither
/// retries refused connections nor follows redirects (the fetcher does, bounded).
public final class HTTPClientProvider: Sendable {
    private let state = Locked<HTTPClient?>(nil)
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
            // No tracing: with a tracer (even the no-op default) every request parses its URL
            // twice more for span attributes nobody reads.
            configuration.tracing.tracer = nil
            let made = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            client = made
            return made
        }
    }

    /// Shuts the client down, waiting at most `limit` for requests abandoned at their deadline
    /// (a TLS handshake that never completes would otherwise hold the exit for 30 s).
    public func shutdown(waitingAtMost limit: Duration = .milliseconds(500)) async {
        guard
            let client = state.withLock({ client -> HTTPClient? in
                defer { client = nil }
                return client
            })
        else { return }
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
                try? await client.shutdown()
                resume()
            }
            Task {
                try? await Task.sleep(for: limit)
                resume()
            }
        }
    }
}
