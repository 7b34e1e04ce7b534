import CompressNIO
import Foundation
import HTTPTypes
import HealthrunCore
public import Hummingbird
import NIOCore

/// Sends buffered text answers gzip-compressed to clients that accept gzip: the status page
/// with 1,000 checks is about 360 KB of HTML and 12 KB compressed, and Prometheus asks for
/// gzip when it scrapes `/metrics`. Streams (Server-Sent Events, whose length is unknown),
/// answers under `minimumSize` and answers already encoded go out as they are.
public struct ResponseCompression<Context: RequestContext>: RouterMiddleware {
    /// Answers smaller than this are not worth a gzip header and a zlib stream.
    public let minimumSize: Int

    public init(minimumSize: Int = 1024) {
        self.minimumSize = minimumSize
    }

    @concurrent public func handle(
        _ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        guard let length = response.body.contentLength, length >= minimumSize,
            response.headers[.contentEncoding] == nil,
            Self.isCompressible(contentType: response.headers[.contentType])
        else { return response }
        // The answer depends on Accept-Encoding whether or not this client sent it.
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        guard Self.acceptsGzip(request.headers[values: .acceptEncoding].joined(separator: ",")) else {
            return response
        }
        var plain = try await Self.collect(response.body, capacity: length)
        let compressed = try plain.compress(with: .gzip())
        response.headers[.contentEncoding] = "gzip"
        response.body = ResponseBody(byteBuffer: compressed)
        return response
    }

    /// Whether an `Accept-Encoding` value (RFC 9110 §12.5.3) allows gzip: `gzip` or `x-gzip`
    /// with a non-zero weight, or `*` with a non-zero weight when gzip is not named.
    static func acceptsGzip(_ acceptEncoding: String) -> Bool {
        var star: Bool?
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, !coding.isEmpty else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                weight = Double(parameter.dropFirst(2)) ?? 0
            }
            switch coding {
            case "gzip", "x-gzip": return weight > 0
            case "*": star = weight > 0
            default: continue
            }
        }
        return star ?? false
    }

    /// Text we produce: HTML, JSON, Prometheus text, SVG. Not `text/event-stream`: a stream
    /// must reach the browser event by event.
    static func isCompressible(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        switch type.lowercased() {
        case "text/html", "text/plain", "application/json", "image/svg+xml": return true
        default: return false
        }
    }

    /// The bytes of a buffered body.
    static func collect(_ body: ResponseBody, capacity: Int) async throws -> ByteBuffer {
        let sink = Locked(ByteBuffer())
        sink.withLock { $0.reserveCapacity(capacity) }
        try await body.write(CollectingWriter(sink: sink))
        return sink.withLock { $0 }
    }

    struct CollectingWriter: ResponseBodyWriter {
        let sink: Locked<ByteBuffer>

        mutating func write(_ buffer: ByteBuffer) async throws {
            sink.withLock { _ = $0.writeImmutableBuffer(buffer) }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
