import Foundation
import HealthrunCore
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Reads the expiry date of a server's certificate with a TLS handshake of its own (the HTTP
/// client does not expose the peer certificate).
enum CertificateProbe {
    /// The certificate's expiry; `deadline` (the check's ``CheckContext/ioDeadline``) bounds
    /// the handshake.
    static func expiry(
        host: String,
        port: Int,
        configuration: TLSConfiguration,
        deadline: ContinuousClock.Instant
    ) async throws -> Date {
        let context = try NIOSSLContext(configuration: configuration)
        let remaining = ContinuousClock.now.duration(to: deadline)
        let handshake = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let serverHostname = host.first?.isNumber == true || host.contains(":") ? nil : host
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(max(1, remaining.milliseconds))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHandler(HandshakeWaiter(promise: handshake))
                }
            }
        let channel = try await bootstrap.connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        try await handshake.futureResult.get()
        guard let certificate = try await channel.nioSSL_peerCertificate().get() else {
            throw CheckFailure("TLS: server sent no certificate")
        }
        return Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
    }

    private final class HandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        let promise: EventLoopPromise<Void>

        init(promise: EventLoopPromise<Void>) {
            self.promise = promise
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted? = event as? TLSUserEvent { promise.succeed() }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(ChannelError.eof)
        }
    }
}
