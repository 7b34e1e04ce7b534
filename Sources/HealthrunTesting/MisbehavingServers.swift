import HealthrunDemo
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP listener that accepts connections and never reads or writes: a black hole.
public final class BlackholeServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let channel: any Channel

    /// Starts the listener.
    public init() async throws {
        (channel, port) = try await LoopbackListener.listen(autoRead: false) { _ in }
    }

    /// Stops listening.
    public func close() async {
        try? await channel.close()
    }
}

/// A port on 127.0.0.1 that refuses connections: a socket is bound to it but never listens,
/// so connecting gets a reset and no other test can take the port while the process runs (the
/// socket is kept open on purpose; a few descriptors per test process).
public func refusedPort() async throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A TCP listener that closes each connection as soon as the client sends anything (a database
/// that drops the startup packet).
public final class HangUpServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let channel: any Channel

    /// Starts the listener.
    public init() async throws {
        (channel, port) = try await LoopbackListener.listen { try $0.addHandler(HangUpHandler()) }
    }

    /// Stops listening.
    public func close() async {
        try? await channel.close()
    }

    private final class HangUpHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.close(promise: nil)
        }
    }
}
