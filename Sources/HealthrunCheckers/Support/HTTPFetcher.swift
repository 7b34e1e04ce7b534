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
            var request = HTTPClientRequest(url: url)
            request.method = method
            for header in spec.headers { request.headers.add(name: header.name, value: header.value) }
            if let body { request.body = .bytes(body) }
            request.tlsConfiguration = spec.tlsConfiguration
            let response: HTTPClientResponse
            progress?.waiting(for: "no answer from \(target.host):\(target.port)")
            do {
                let remaining = max(.zero, ContinuousClock.now.duration(to: deadline))
                response = try await client.execute(
                    request, deadline: .now() + .nanoseconds(remaining.wholeNanoseconds))
            } catch {
                throw CheckFailure(NetworkErrors.describe(error, host: target.host, port: target.port))
            }
            let status = Int(response.status.code)
            if spec.followRedirects, [301, 302, 303, 307, 308].contains(status),
                let location = response.headers.first(name: "location")
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
            progress?.waiting(
                for:
                    "\(status) \(response.status.reasonPhrase) from \(target.host):\(target.port), then the body did not finish"
            )
            var collected: [UInt8] = []
            var truncated = false
            do {
                for try await chunk in response.body {
                    let room = spec.maxBody - collected.count
                    if chunk.readableBytes > room {
                        collected += chunk.readableBytesView.prefix(room)
                        truncated = true
                        break
                    }
                    collected += chunk.readableBytesView
                }
            } catch {
                let reason = NetworkErrors.describe(error, host: target.host, port: target.port)
                throw CheckFailure(
                    "\(response.status.code) \(response.status.reasonPhrase), then \(reason) after \(collected.count) bytes of body"
                )
            }
            return FetchedResponse(
                status: status,
                reason: response.status.reasonPhrase,
                headers: response.headers,
                body: collected,
                truncated: truncated,
                url: url,
                redirects: visited.count - 1,
                latency: start.duration(to: .now)
            )
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
