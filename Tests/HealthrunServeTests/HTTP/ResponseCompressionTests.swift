import AsyncHTTPClient
import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import HealthrunServe

@Suite struct ResponseCompressionTests {
    @Test(arguments: [
        ("gzip", true),
        ("GZIP ; q=1.0", true),
        ("deflate, gzip;q=0.5", true),
        ("x-gzip", true),
        ("br, *;q=0.5", true),
        ("gzip;q=0", false),
        ("gzip;q=0, *", false),
        ("*;q=0", false),
        ("identity", false),
        ("br, deflate", false),
        ("", false),
        ("gzipx", false),
    ])
    func acceptEncoding(header: String, gzip: Bool) {
        #expect(ResponseCompression<BasicRequestContext>.acceptsGzip(header) == gzip)
    }

    /// A server whose routes cover what the middleware must and must not touch.
    static let page = String(repeating: "<tr><td>check-0042</td><td>ok</td><td>12 ms</td></tr>\n", count: 1000)

    static func withServer(_ body: (Int) async throws -> Void) async throws {
        let router = Router()
        router.add(middleware: ResponseCompression())
        router.get("/page") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/small") { _, _ in "ok\n" }
        router.get("/stream") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "data: " + String(repeating: "x", count: 4096) + "\n\n"))
                    try await writer.finish(nil)
                })
        }
        router.get("/binary") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(repeating: 7, count: 8192)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let server = Task { try? await app.run() }
        defer { server.cancel() }
        var port = 0
        for await bound in ports { port = bound }
        try await body(port)
    }

    static func get(_ port: Int, _ path: String, acceptEncoding: String?) async throws -> (
        headers: [String: String], body: ByteBuffer
    ) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if let acceptEncoding { request.headers.add(name: "Accept-Encoding", value: acceptEncoding) }
        let response = try await rawClient.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 10 << 20)
        let headers = Dictionary(
            response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, b in a + ", " + b })
        if let length = headers["content-length"] { #expect(length == String(body.readableBytes)) }
        return (headers, body)
    }

    @Test func aPageIsGzippedForAClientThatAsksAndIdenticalWhenUnpacked() async throws {
        try await Self.withServer { port in
            let (headers, body) = try await Self.get(port, "/page", acceptEncoding: "gzip, deflate")
            #expect(headers["content-encoding"] == "gzip")
            #expect(headers["content-length"] != nil)
            #expect(headers["vary"] == "Accept-Encoding")
            #expect(body.readableBytes < Self.page.utf8.count / 10)
            var packed = body
            let unpacked = try packed.decompress(with: .gzip())
            #expect(String(buffer: unpacked) == Self.page)

            let (plainHeaders, plain) = try await Self.get(port, "/page", acceptEncoding: nil)
            #expect(plainHeaders["content-encoding"] == nil)
            #expect(plainHeaders["vary"] == "Accept-Encoding")
            #expect(String(buffer: plain) == Self.page)

            let (refusedHeaders, refused) = try await Self.get(port, "/page", acceptEncoding: "gzip;q=0")
            #expect(refusedHeaders["content-encoding"] == nil)
            #expect(String(buffer: refused) == Self.page)
        }
    }

    @Test func streamsSmallAnswersAndBinariesGoOutAsTheyAre() async throws {
        try await Self.withServer { port in
            let (streamHeaders, stream) = try await Self.get(port, "/stream", acceptEncoding: "gzip")
            #expect(streamHeaders["content-encoding"] == nil)
            #expect(String(buffer: stream).hasPrefix("data: xxx"))
            let (smallHeaders, small) = try await Self.get(port, "/small", acceptEncoding: "gzip")
            #expect(smallHeaders["content-encoding"] == nil)
            #expect(smallHeaders["vary"] == nil)
            #expect(String(buffer: small) == "ok\n")
            let (binaryHeaders, binary) = try await Self.get(port, "/binary", acceptEncoding: "gzip")
            #expect(binaryHeaders["content-encoding"] == nil)
            #expect(binary.readableBytes == 8192)
        }
    }
}
