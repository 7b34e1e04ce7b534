public import HealthrunCore
import NIOCore
import NIOPosix

/// `type: tcp` — a TCP connect within the deadline.
public struct TCPChecker: Checker {
    public static let typeName = "tcp"
    /// SwiftNIO only: never blocks a thread.
    public static let mayBlock = false

    /// The fields of a tcp check.
    public struct Configuration: Decodable, Sendable {
        public var host: String
        public var port: Int
    }

    let host: String
    let port: Int

    public var target: String? { "\(host):\(port)" }

    /// Validates the configuration.
    public init(configuration: Configuration) throws {
        guard !configuration.host.isEmpty else { throw ConfigValueError("host is empty", field: ["host"]) }
        guard (1...65535).contains(configuration.port) else {
            throw ConfigValueError("port \(configuration.port) is out of range 1-65535", field: ["port"])
        }
        host = configuration.host
        port = configuration.port
    }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let start = ContinuousClock.now
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(
                    .nanoseconds(max(1_000_000, ContinuousClock.now.duration(to: context.ioDeadline).wholeNanoseconds))
                )
                .connect(host: host, port: port)
                .get()
        } catch {
            throw CheckFailure(NetworkErrors.describe(error, host: host, port: port))
        }
        let latency = start.duration(to: .now)
        try? await channel.close()
        return .ok(
            "connected to \(host):\(port)",
            details: ["connect_ms": .double((latency.milliseconds * 10).rounded() / 10)]
        )
    }
}
