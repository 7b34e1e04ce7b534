import HealthrunCore
package import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#endif

/// A request as the loopback server read it.
public struct RecordedRequest: Sendable {
    /// `GET`, `POST`, ….
    public var method: String
    /// The path with the query.
    public var target: String
    /// Headers, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// The path without the query.
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// The value of the query parameter `name`.
    public func query(_ name: String) -> String? {
        guard let question = target.firstIndex(of: "?") else { return nil }
        for pair in target[target.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first.map({ String($0).removingPercentEncodingSimple }) == name {
                return parts.count > 1 ? String(parts[1]).removingPercentEncodingSimple : ""
            }
        }
        return nil
    }

    /// The first header of that name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What the loopback server does with one request: answer, or misbehave.
public indirect enum Behaviour: Sendable {
    /// A complete response.
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
    /// The same response after a pause.
    case delayed(Duration, Behaviour)
    /// Never answers (the connection stays open).
    case silent
    /// Sends the head with this Content-Length, then nothing more.
    case headThenSilence(contentLength: Int)
    /// Sends the head, then the body one chunk at a time with a pause between.
    case drip(status: Int, body: [UInt8], chunk: Int, every: Duration)
    /// A `size`-byte body of `x`, chunked or with Content-Length.
    case flood(size: Int, chunked: Bool)
    /// Announces more bytes than it sends, then closes.
    case shortBody(contentLength: Int, body: [UInt8])
    /// Closes the connection with a TCP reset, after the head and this many body bytes (nil: at once).
    case reset(afterBodyBytes: Int?)
    /// Writes raw bytes and closes.
    case raw([UInt8])
    /// A chunked response written piece by piece, each after its pause (Server-Sent Events),
    /// then ended as `end` says.
    case stream(status: Int, headers: [(String, String)], pieces: [(pause: Duration, bytes: [UInt8])], end: StreamEnd)

    /// How a streamed response ends.
    public enum StreamEnd: Sendable {
        /// The last chunk, as HTTP/1.1 ends a chunked body.
        case finish
        /// The connection stays open and nothing more comes.
        case hang
        /// A TCP reset.
        case reset
    }

    /// Server-Sent Events, one piece per event after `pause` each, ended as `end` says.
    public static func events(
        _ events: [String], every pause: Duration = .zero, status: Int = 200, headers: [(String, String)] = [],
        end: StreamEnd = .finish
    ) -> Behaviour {
        .stream(
            status: status, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")] + headers,
            pieces: events.map { (pause, Array($0.utf8)) }, end: end)
    }

    /// A JSON response.
    public static func json(_ status: Int = 200, _ text: String, headers: [(String, String)] = []) -> Behaviour {
        .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// A text response.
    public static func text(_ status: Int = 200, _ text: String) -> Behaviour {
        .respond(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// A redirect.
    public static func redirect(_ status: Int = 302, to location: String) -> Behaviour {
        .respond(status: status, headers: [("Location", location)])
    }
}

/// An HTTP/1.1 server on 127.0.0.1, port chosen by the system, that answers each request with
/// what `handler` says, byte by byte, misbehaviour included. It records every request.
public final class LoopbackHTTPServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let channel: any Channel

    private let isTLS: Bool

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    public var baseURL: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }

    /// Starts a server; with `tls`, it speaks HTTPS with that PEM certificate and key.
    public init(
        tls: (certificate: String, key: String)? = nil,
        handler: @escaping @Sendable (RecordedRequest) -> Behaviour
    ) async throws {
        let box = RequestLog()
        let sslContext = try tls.map { files in
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))
                )
            )
        }
        (channel, port) = try await LoopbackListener.listen { pipeline in
            if let sslContext { try pipeline.addHandler(NIOSSLServerHandler(context: sslContext)) }
            try pipeline.addHandler(ScriptedHTTPHandler(handler: handler, log: box.append))
        }
        logBox = box
        isTLS = tls != nil
    }

    private let logBox: RequestLog

    /// Every request so far, in arrival order.
    public var requests: [RecordedRequest] { logBox.all }

    /// Stops listening and closes the server socket.
    public func close() async {
        try? await channel.close()
    }
}

/// The one way the test servers listen: 127.0.0.1, a port the kernel picks, a deep backlog
/// (a hundred fault cases connect at once), each connection's pipeline set up by `initialize`.
package enum LoopbackListener {
    package static func listen(
        autoRead: Bool = true,
        initialize: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    ) async throws -> (channel: any Channel, port: Int) {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: autoRead)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try initialize(channel.pipeline.syncOperations) }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return (channel, channel.localAddress?.port ?? 0)
    }
}

final class RequestLog: Sendable {
    private let requests = Locked<[RecordedRequest]>([])
    func append(_ request: RecordedRequest) { requests.withLock { $0.append(request) } }
    var all: [RecordedRequest] { requests.withLock { $0 } }
}

extension String {
    var removingPercentEncodingSimple: String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
