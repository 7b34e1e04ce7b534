import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 channel with serve's ``ConnectionGuard`` between the HTTP/1 parser and
/// the conversion to HTTP types: the guard sees the HTTP version (keep-alive rules) and answers
/// refusals before any route runs. The head timeout is Hummingbird's idle timeout, which counts
/// parsed parts only, so a head dripped a byte at a time does not keep a connection open.
struct ServeHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ServeLimits
    let connections: ConnectionCount
    /// Behind TLS: requests' scheme is https.
    let secure: Bool

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            try pipeline.addHandler(ConnectionGuard(limits: limits, connections: connections))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: limits.headTimeout, logger: logger))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

/// The descriptor-protecting cap: past `maxConnections + acceptSlack` serve stops accepting
/// (connections wait in the listen backlog) until some close.
struct AcceptCap: AvailableConnectionsDelegate {
    let limit: Int
    var open = 0

    mutating func connectionOpened() { open += 1 }
    mutating func connectionClosed() { open -= 1 }
    func isAcceptingNewConnections() -> Bool { open < limit }
}
