import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// What serve's HTTP surface allows a client, and how long it waits for one. The defaults follow
/// Prometheus (`--web.max-connections` 512, a read timeout) and nginx (`client_header_timeout`,
/// `keepalive_timeout`, lingering close).
public struct ServeLimits: Sendable {
    /// Open connections served at once; the next ones get 503 with `Retry-After` and are closed.
    /// Past this plus `acceptSlack` serve stops accepting, so clients can never take the
    /// descriptors the checks need.
    public var maxConnections = 1024
    /// Connections answered 503 on top of `maxConnections` before serve stops accepting.
    public var acceptSlack = 64
    /// Event-stream subscribers at once; the next ones get 503 with `Retry-After`.
    public var maxStreams = 256
    /// A request head must arrive within this of the connection opening or of the previous
    /// answer; it is also how long an idle keep-alive connection stays open.
    public var headTimeout: Duration = .seconds(10)
    /// A request body must arrive within this of its head.
    public var bodyTimeout: Duration = .seconds(30)
    /// The largest request body taken (no route of serve takes one; `POST /-/reload` has none).
    public var maxBodyBytes = 64 * 1024
    /// After an answer that closes the connection, what the client still sends is read and
    /// dropped for up to this long and this many bytes, then the connection is reset (the
    /// client gets its answer instead of a reset that discards it; nothing waits forever).
    public var lingerTime: Duration = .seconds(2)
    /// See `lingerTime`.
    public var lingerBytes = 256 * 1024

    /// The defaults.
    public init() {}
}

/// Connections open now, shared by every connection's guard.
final class ConnectionCount: Sendable {
    private let count = NIOLockedValueBox(0)

    /// Counts one more; says whether it is within `limit`.
    func open(limit: Int) -> Bool {
        count.withLockedValue { count in
            count += 1
            return count <= limit
        }
    }

    func close() {
        count.withLockedValue { $0 -= 1 }
    }

    var current: Int { count.withLockedValue { $0 } }
}

/// The first handler after HTTP/1 parsing on every connection of serve: refuses what serve will
/// not serve before any route sees it, and bounds how long and how much a client may send.
///
/// - over `maxConnections`: 503 with `Retry-After`;
/// - an HTTP/1.1 request without `Host`: 400;
/// - a body announced larger than `maxBodyBytes`: 413 without reading it; a chunked body that
///   grows past it: the connection is reset;
/// - a body slower than `bodyTimeout`: the connection is closed;
/// - an answer that ends the connection (`Connection: close`, HTTP/1.0 without keep-alive, or
///   one of the refusals above): what the client still sends is drained for a bounded time and
///   amount, then the connection is reset, so an unread body never pins a socket.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: ServeLimits
    private let connections: ConnectionCount
    private var counted = false
    private var withinCapacity = true
    /// Whether each request whose answer is not written yet keeps the connection open.
    private var keepAlive: [Bool] = []
    private var bodyBytes = 0
    private var bodyDeadline: Scheduled<Void>?
    /// Draining before a reset: inbound is dropped and counted.
    private var lingering = false
    private var drained = 0
    private var lingerDeadline: Scheduled<Void>?

    init(limits: ServeLimits, connections: ConnectionCount) {
        self.limits = limits
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        withinCapacity = connections.open(limit: limits.maxConnections)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        lingerDeadline?.cancel()
        if counted {
            counted = false
            connections.close()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if lingering {
            if case .body(let buffer) = part { drain(context, bytes: buffer.readableBytes) }
            // The whole body arrived: nothing unread is left, so a plain close lets the client
            // read its answer.
            if case .end = part { context.close(promise: nil) }
            return
        }
        switch part {
        case .head(let head):
            if !withinCapacity {
                return refuse(
                    context, .serviceUnavailable,
                    "serve has \(limits.maxConnections) connections open; try again shortly\n",
                    extra: [("Retry-After", "5")])
            }
            if head.version.major == 1, head.version.minor >= 1, head.headers["host"].isEmpty {
                return refuse(context, .badRequest, "an HTTP/1.1 request needs a Host header\n")
            }
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxBodyBytes {
                return refuse(
                    context, .payloadTooLarge,
                    "request bodies are limited to \(limits.maxBodyBytes) bytes; this one has \(length)\n")
            }
            keepAlive.append(head.isKeepAlive)
            bodyBytes = 0
            bodyDeadline?.cancel()
            bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.bodyTimeout)) {
                context.close(promise: nil)
            }
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            // Chunked (its length was not announced): the head already went to the route.
            if bodyBytes > limits.maxBodyBytes { return reset(context) }
        case .end:
            bodyDeadline?.cancel()
            bodyDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), !keepAlive.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        let keep = keepAlive.removeFirst()
        context.write(data, promise: promise)
        if !keep { startLingering(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if lingering, let event = event as? ChannelEvent, event == .inputClosed {
            // The client read its answer and closed: nothing is left to drain.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Answers `status` from here (no route runs) and lingers.
    private func refuse(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ text: String,
        extra: [(String, String)] = []
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(text.utf8.count)),
            ("Connection", "close"), ("X-Content-Type-Options", "nosniff"),
        ])
        headers.add(contentsOf: extra)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        startLingering(context)
    }

    /// From now on inbound is read and dropped until the client closes, `lingerBytes` or
    /// `lingerTime`; then the connection is reset.
    private func startLingering(_ context: ChannelHandlerContext) {
        guard !lingering else { return }
        lingering = true
        bodyDeadline?.cancel()
        context.flush()
        context.close(mode: .output, promise: nil)
        lingerDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.lingerTime)) { [self] in
            reset(context)
        }
    }

    private func drain(_ context: ChannelHandlerContext, bytes: Int) {
        drained += bytes
        if drained > limits.lingerBytes { reset(context) }
    }

    /// Closes with SO_LINGER 0: a reset, which frees the socket at once (no FIN-WAIT, no buffers).
    private func reset(_ context: ChannelHandlerContext) {
        lingerDeadline?.cancel()
        guard let socket = context.channel as? any SocketOptionProvider else {
            context.close(promise: nil)
            return
        }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
