import AsyncHTTPClient
import Foundation
import HealthrunCore
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP exchange as a checker wants it: bounded body, redirects followed by hand (so a loop
/// is named), the deadline applied to the whole exchange, transport errors in plain words.
struct HTTPRequestSpec: Sendable {
    var url: String
    var method: HTTPMethod = .GET
    var headers: [(name: String, value: String)] = []
    var body: [UInt8]?
    var followRedirects = true
    var maxBody = 1 << 20
    var tlsConfiguration: TLSConfiguration?
}

struct FetchedResponse: Sendable {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The body was longer than `maxBody`; `body` holds its first `maxBody` bytes.
    var truncated: Bool
    var url: String
    var redirects: Int
    var latency: Duration

    /// `200 OK`.
    var statusLine: String { reason.isEmpty ? "\(status)" : "\(status) \(reason)" }
}

enum HTTPFetcher {
    static let maximumRedirects = 10

    /// Fetches `spec`, following redirects; `deadline` bounds the whole exchange: pass the
    /// check's ``CheckContext/ioDeadline``.
    static func fetch(
        _ spec: HTTPRequestSpec,
        client: HTTPClient,
        deadline: ContinuousClock.Instant,
        progress: CheckProgress? = nil
    ) async throws -> FetchedResponse {
        let start = ContinuousClock.now
        var url = spec.url
        var method = spec.method
        var body = spec.body
        var visited = [url]
        while true {
            let target = Target(url)
            var request: HTTPClient.Request
            do {
                request = try HTTPClient.Request(url: url, method: method, tlsConfiguration: spec.tlsConfiguration)
            } catch {
                throw CheckFailure(NetworkErrors.describe(error, host: target.host, port: target.port))
            }
            for header in spec.headers { request.headers.add(name: header.name, value: header.value) }
            if let body { request.body = .bytes(body) }
            progress?.waiting(for: "no answer from \(target.host):\(target.port)")
            let exchange = try await Self.exchange(
                request, client: client, maxBody: spec.maxBody, deadline: deadline, target: target, progress: progress)
            let status = Int(exchange.head.status.code)
            if spec.followRedirects, [301, 302, 303, 307, 308].contains(status),
                let location = exchange.head.headers.first(name: "location")
            {
                guard let next = URL(string: location, relativeTo: URL(string: url))?.absoluteString else {
                    throw CheckFailure("redirect to an invalid location '\(Snippet.of(Array(location.utf8)))'")
                }
                if let loopStart = visited.firstIndex(of: next) {
                    let loop = (visited[loopStart...] + [next]).map(Self.pathOf)
                    throw CheckFailure("redirect loop: \(loop.joined(separator: " → "))")
                }
                guard visited.count <= maximumRedirects else {
                    throw CheckFailure("too many redirects (more than \(maximumRedirects))")
                }
                visited.append(next)
                url = next
                if status == 303 || ((status == 301 || status == 302) && method == .POST) {
                    method = .GET
                    body = nil
                }
                continue
            }
            return FetchedResponse(
                status: status,
                reason: exchange.head.status.reasonPhrase,
                headers: exchange.head.headers,
                body: exchange.body,
                truncated: exchange.truncated,
                url: url,
                redirects: visited.count - 1,
                latency: start.duration(to: .now)
            )
        }
    }

    /// One request and its answer, through AsyncHTTPClient's delegate API: the response is
    /// collected by a delegate on the event loop the client picks, which is the calling
    /// task's loop when the task runs on one of the client's (the engine's
    /// `nonBlockingExecutors` and ``HTTPClientProvider``'s client per loop); the task is
    /// resumed once, with all of it, mostly without waking another thread. The async API
    /// starts a task on the shared pool for every request and hops there for the head and
    /// each part of the body. (Requiring the channel on the caller's loop of a client over
    /// both loops, `.delegateAndChannel`, made the pool open a connection per request whenever
    /// the loop had none idle: 9,900 connections for 10,000 checks at concurrency 500.)
    private static func exchange(
        _ request: HTTPClient.Request,
        client: HTTPClient,
        maxBody: Int,
        deadline: ContinuousClock.Instant,
        target: Target,
        progress: CheckProgress?
    ) async throws -> BoundedCollector.Collected {
        let collector = BoundedCollector(limit: maxBody, target: target, progress: progress)
        let remaining = max(.zero, ContinuousClock.now.duration(to: deadline))
        let task = client.execute(
            request: request,
            delegate: collector,
            eventLoop: .indifferent,
            deadline: .now() + .nanoseconds(remaining.wholeNanoseconds),
            logger: nil
        )
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch is BoundedCollector.LimitReached {
            return collector.collected(truncated: true)
        } catch {
            let reason = NetworkErrors.describe(error, host: target.host, port: target.port)
            guard let (head, bytes) = collector.received else { throw CheckFailure(reason) }
            throw CheckFailure(
                "\(head.status.code) \(head.status.reasonPhrase), then \(reason) after \(bytes) bytes of body")
        }
    }

    private static func pathOf(_ url: String) -> String {
        guard let parsed = URL(string: url) else { return url }
        return parsed.path.isEmpty ? "/" : parsed.path
    }

    /// Host and port of a URL, for messages.
    struct Target {
        var host: String
        var port: Int

        init(_ url: String) {
            let parsed = URL(string: url)
            host = parsed?.host ?? url
            port = parsed?.port ?? (parsed?.scheme == "https" ? 443 : 80)
        }
    }

    /// Validates a URL from checks.d; throws a ``ConfigValueError`` for `field`.
    static func validateURL(_ text: String, field: [String]) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            throw ConfigValueError(
                "invalid URL '\(text)'", field: field, hint: "write a full URL such as http://127.0.0.1:8080/health")
        }
        guard scheme == "http" || scheme == "https" else {
            throw ConfigValueError(
                "unsupported URL scheme '\(scheme)' in '\(text)'", field: field, hint: "use http:// or https://")
        }
        guard let host = url.host, !host.isEmpty else {
            throw ConfigValueError(
                "URL '\(text)' has no host", field: field, hint: "write a full URL such as http://127.0.0.1:8080/health"
            )
        }
        return url
    }
}

/// Keeps a response's head and the first `limit` bytes of its body; past them it fails the
/// request with ``LimitReached`` (which ends the exchange and closes the connection) and
/// the fetcher returns what was kept, marked truncated. Its state is touched only on the
/// request's event loop, and read after the request's future completed.
private final class BoundedCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    struct Collected: Sendable {
        var head: HTTPResponseHead
        var body: [UInt8]
        var truncated: Bool
    }

    struct LimitReached: Error {}

    private let limit: Int
    private let target: HTTPFetcher.Target
    private let progress: CheckProgress?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(limit: Int, target: HTTPFetcher.Target, progress: CheckProgress?) {
        self.limit = limit
        self.target = target
        self.progress = progress
    }

    /// The head and how many body bytes came, once the head did.
    var received: (HTTPResponseHead, Int)? { head.map { ($0, body.count) } }

    func collected(truncated: Bool) -> Collected {
        Collected(head: head!, body: body, truncated: truncated)
    }

    func didReceiveHead(task: HTTPClient.Task<Collected>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.head = head
        progress?.waiting(
            for:
                "\(head.status.code) \(head.status.reasonPhrase) from \(target.host):\(target.port), then the body did not finish"
        )
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Collected>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let room = limit - body.count
        guard buffer.readableBytes <= room else {
            body += buffer.readableBytesView.prefix(room)
            return task.eventLoop.makeFailedFuture(LimitReached())
        }
        body += buffer.readableBytesView
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Collected>) throws -> Collected {
        collected(truncated: false)
    }
}
