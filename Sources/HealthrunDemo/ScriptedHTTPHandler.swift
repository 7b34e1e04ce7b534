import HealthrunCore
import NIOCore
import NIOPosix

/// Reads HTTP/1.1 requests from raw bytes and plays a ``Behaviour`` for each.
final class ScriptedHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handler: @Sendable (RecordedRequest) -> Behaviour
    private let log: @Sendable (RecordedRequest) -> Void
    private var buffer: [UInt8] = []
    private var busy = false

    init(
        handler: @escaping @Sendable (RecordedRequest) -> Behaviour, log: @escaping @Sendable (RecordedRequest) -> Void
    ) {
        self.handler = handler
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        buffer += bytes.readableBytesView
        processBuffer(context: context)
    }

    private func processBuffer(context: ChannelHandlerContext) {
        guard !busy, let request = parseRequest() else { return }
        log(request)
        busy = true
        play(handler(request), context: context, keepAlive: request.header("connection")?.lowercased() != "close")
    }

    private func parseRequest() -> RecordedRequest? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = buffer.firstRange(of: separator) else { return nil }
        let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedByCRLF: ())
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard buffer.count - headEnd.upperBound >= length else { return nil }
        let body = Array(buffer[headEnd.upperBound..<(headEnd.upperBound + length)])
        buffer.removeFirst(headEnd.upperBound + length)
        return RecordedRequest(
            method: requestLine.first.map(String.init) ?? "",
            target: requestLine.count > 1 ? String(requestLine[1]) : "/",
            headers: headers,
            body: body
        )
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
    }

    private static func head(status: Int, headers: [(String, String)], extra: [(String, String)]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        for (name, value) in headers + extra { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    private func finished(context: ChannelHandlerContext, keepAlive: Bool) {
        busy = false
        if keepAlive {
            processBuffer(context: context)
        } else {
            context.close(promise: nil)
        }
    }

    private func play(_ behaviour: Behaviour, context: ChannelHandlerContext, keepAlive: Bool) {
        let loop = context.eventLoop.assumeIsolated()
        switch behaviour {
        case .respond(let status, let headers, let body):
            write(
                Self.head(status: status, headers: headers, extra: [("Content-Length", "\(body.count)")]) + body,
                context: context)
            finished(context: context, keepAlive: keepAlive)
        case .delayed(let pause, let next):
            loop.scheduleTask(
                in: .nanoseconds(pause.wholeNanoseconds)
            ) {
                self.play(next, context: context, keepAlive: keepAlive)
            }
        case .silent:
            break
        case .headThenSilence(let length):
            write(Self.head(status: 200, headers: [], extra: [("Content-Length", "\(length)")]), context: context)
        case .drip(let status, let body, let chunk, let every):
            write(
                Self.head(status: status, headers: [], extra: [("Content-Length", "\(body.count)")]), context: context)
            drip(body[...], chunk: max(1, chunk), every: every, context: context, keepAlive: keepAlive)
        case .flood(let size, let chunked):
            flood(remaining: size, chunked: chunked, first: true, context: context)
        case .shortBody(let length, let body):
            write(
                Self.head(status: 200, headers: [], extra: [("Content-Length", "\(length)")]) + body, context: context)
            context.close(promise: nil)
        case .reset(let afterBodyBytes):
            if let afterBodyBytes {
                write(
                    Self.head(status: 200, headers: [], extra: [("Content-Length", "\(afterBodyBytes + 1000)")]),
                    context: context)
                write(Array(repeating: UInt8(ascii: "x"), count: afterBodyBytes), context: context)
            }
            if let provider = context.channel as? any SocketOptionProvider {
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        case .raw(let bytes):
            write(bytes, context: context)
            context.close(promise: nil)
        case .stream(let status, let headers, let pieces, let end):
            write(
                Self.head(status: status, headers: headers, extra: [("Transfer-Encoding", "chunked")]),
                context: context)
            stream(pieces[...], end: end, context: context, keepAlive: keepAlive)
        }
    }

    private func stream(
        _ rest: ArraySlice<(pause: Duration, bytes: [UInt8])>, end: Behaviour.StreamEnd,
        context: ChannelHandlerContext, keepAlive: Bool
    ) {
        guard context.channel.isActive else { return }
        guard let piece = rest.first else {
            switch end {
            case .finish:
                write(Array("0\r\n\r\n".utf8), context: context)
                finished(context: context, keepAlive: keepAlive)
            case .hang:
                break
            case .reset:
                play(.reset(afterBodyBytes: nil), context: context, keepAlive: false)
            }
            return
        }
        // Pieces due now go out together, up to 64 KiB a write; the next write waits for this one
        // (memory stays flat, and a long stream is no deep recursion).
        let send = {
            var bytes: [UInt8] = []
            var rest = rest
            while let next = rest.first, bytes.isEmpty || (next.pause == .zero && bytes.count < 64 << 10) {
                if !next.bytes.isEmpty {
                    bytes +=
                        Array((String(next.bytes.count, radix: 16) + "\r\n").utf8) + next.bytes
                        + Array("\r\n".utf8)
                }
                rest = rest.dropFirst()
            }
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(bytes: bytes))).assumeIsolated().whenComplete {
                result in
                guard case .success = result else { return }
                self.stream(rest, end: end, context: context, keepAlive: keepAlive)
            }
        }
        if piece.pause > .zero {
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(piece.pause.wholeNanoseconds)) { send() }
        } else {
            send()
        }
    }

    private func drip(
        _ rest: ArraySlice<UInt8>,
        chunk: Int,
        every: Duration,
        context: ChannelHandlerContext,
        keepAlive: Bool
    ) {
        guard !rest.isEmpty, context.channel.isActive else {
            if context.channel.isActive { finished(context: context, keepAlive: keepAlive) }
            return
        }
        write(Array(rest.prefix(chunk)), context: context)
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(every.wholeNanoseconds)) {
            self.drip(rest.dropFirst(chunk), chunk: chunk, every: every, context: context, keepAlive: keepAlive)
        }
    }

    /// Writes a huge body in 64 KiB pieces, waiting for each write so memory stays flat,
    /// until done or the client goes away.
    private func flood(remaining: Int, chunked: Bool, first: Bool, context: ChannelHandlerContext) {
        var bytes: [UInt8] = []
        if first {
            bytes += Self.head(
                status: 200,
                headers: [],
                extra: chunked ? [("Transfer-Encoding", "chunked")] : [("Content-Length", "\(remaining)")]
            )
        }
        guard remaining > 0 else {
            if chunked { write(bytes + Array("0\r\n\r\n".utf8), context: context) }
            context.close(promise: nil)
            return
        }
        let piece = min(remaining, 64 * 1024)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: piece)
        bytes += chunked ? Array((String(piece, radix: 16) + "\r\n").utf8) + payload + Array("\r\n".utf8) : payload
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes))).assumeIsolated().whenComplete { result in
            guard case .success = result, context.channel.isActive else { return }
            self.flood(remaining: remaining - piece, chunked: chunked, first: false, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

extension String {
    func components(separatedByCRLF: Void) -> [String] {
        var parts: [String] = []
        var current = ""
        var previous: Character?
        for character in self {
            if character == "\r\n" {
                parts.append(current)
                current = ""
            } else if character == "\n", previous == "\r" {
                current.removeLast()
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        parts.append(current)
        return parts
    }

    var trimmingSpaces: String {
        var result = Substring(self)
        while result.first == " " || result.first == "\t" { result.removeFirst() }
        while result.last == " " || result.last == "\t" { result.removeLast() }
        return String(result)
    }
}
