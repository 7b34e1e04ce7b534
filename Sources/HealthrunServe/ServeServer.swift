import Hummingbird
public import Logging
import ServiceLifecycle

/// `healthrun serve` assembled: the HTTP surface over a runtime, both run as one service group
/// that stops in the right order within bounded time. `healthrun serve` and the tests build it
/// the same way.
public final class ServeServer: Sendable {
    private let group: ServiceGroup

    /// Assembles the server.
    /// - Parameters:
    ///   - reload: re-reads checks.d (POST /-/reload).
    ///   - logger: the runtime's and the group's logger; `serverLogger`: Hummingbird's.
    ///   - onListening: called with the bound port once the server accepts connections.
    public init(
        runtime: ServeRuntime, reload: @escaping @Sendable () -> ReloadOutcome, host: String, port: Int,
        logger: Logger, serverLogger: Logger, onListening: @escaping @Sendable (Int) -> Void
    ) {
        let app = Application(
            router: ServeRoutes.router(runtime: runtime, reload: reload),
            configuration: .init(address: .hostname(host, port: port), serverName: "healthrun"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
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
        try await group.run()
    }

    /// Stops gracefully: the runtime commits what is pending, then the server closes.
    public func stop() async {
        await group.triggerGracefulShutdown()
    }
}
