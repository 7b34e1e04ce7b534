import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOPosix
import ServiceLifecycle

/// `healthrun serve` assembled: the HTTP surface over a runtime, both run as one service group
/// that stops in the right order within bounded time. `healthrun serve` and the tests build it
/// the same way.
public final class ServeServer: Sendable {
    /// How the HTTP surface faces clients.
    public struct HTTPOptions: Sendable {
        /// Connection, time and size limits.
        public var limits = ServeLimits()
        /// `--web-config`: TLS and basic authentication.
        public var web: WebConfiguration?
        /// `--enable-lifecycle`: whether `POST /-/reload` works.
        public var lifecycle = false

        /// The defaults: plain HTTP, no authentication, no lifecycle API.
        public init() {}
    }

    private let group: ServiceGroup
    /// The HTTP surface's own event loop: a flood of clients cannot slow the checks' network I/O,
    /// which runs on NIO's shared loops.
    private let eventLoops: MultiThreadedEventLoopGroup

    /// Assembles the server.
    /// - Parameters:
    ///   - reload: re-reads checks.d (POST /-/reload).
    ///   - logger: the runtime's and the group's logger; `serverLogger`: Hummingbird's.
    ///   - onListening: called with the bound port once the server accepts connections.
    /// - Throws: when the web config's TLS files do not load.
    public init(
        runtime: ServeRuntime, reload: @escaping @Sendable () -> ReloadOutcome, host: String, port: Int,
        http: HTTPOptions = HTTPOptions(), logger: Logger, serverLogger: Logger,
        onListening: @escaping @Sendable (Int) -> Void
    ) throws {
        let connections = ConnectionCount()
        let limits = http.limits
        var server = HTTPServerBuilder { responder in
            ServeHTTPChannel(
                responder: responder, limits: limits, connections: connections, secure: http.web?.tls != nil)
        }
        if let tls = try http.web?.tlsConfiguration() {
            server = try .tls(server, tlsConfiguration: tls)
        }
        eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let app = Application(
            router: ServeRoutes.router(runtime: runtime, reload: reload, http: http),
            server: server,
            configuration: .init(
                address: .hostname(host, port: port), serverName: "healthrun",
                availableConnectionsDelegate: AcceptCap(limit: limits.maxConnections + limits.acceptSlack)),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(eventLoops),
            logger: serverLogger
        )
        // Services stop in reverse order: the runtime first (it commits and ends the event
        // streams), then the server, which then has no open stream to wait for.
        var configuration = ServiceGroupConfiguration(services: [app, runtime], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(3)
        configuration.maximumCancellationDuration = .seconds(1)
        group = ServiceGroup(configuration: configuration)
    }

    /// Serves until ``stop()``; throws when the address cannot be bound.
    public func run() async throws {
        defer { eventLoops.shutdownGracefully { _ in } }
        try await group.run()
    }

    /// Stops gracefully: the runtime commits what is pending, then the server closes.
    public func stop() async {
        await group.triggerGracefulShutdown()
    }
}
