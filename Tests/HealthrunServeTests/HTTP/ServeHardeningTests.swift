import AsyncHTTPClient
import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import HummingbirdBcrypt
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// serve's HTTP surface against clients that are slow, many or hostile, over real sockets. Each
/// test here failed against the surface before the connection guard and the web guard.
@Suite(.serialized) struct ServeHardeningTests {
    static func harness(
        _ tweak: (inout ServeServer.HTTPOptions) -> Void = { _ in }
    ) async throws -> ServeHarness {
        let (db, _) = ServeHarness.check("db", [.ok("select 1")], interval: .milliseconds(200))
        var http = ServeServer.HTTPOptions()
        tweak(&http)
        return try await ServeHarness(configuration: LoadedConfiguration(checks: [db]), http: http)
    }

    /// How long `/healthz` takes over a fresh connection.
    static func healthzTime(_ harness: ServeHarness) async throws -> Duration {
        let start = ContinuousClock.now
        let reply = try await harness.get("/healthz")
        #expect(reply.status == 200)
        return ContinuousClock.now - start
    }

    @Test func aDrippedHeadIsCutOffAndHealthzStaysFast() async throws {
        // Before: no head timeout; 500 connections dripping a byte a second were never closed.
        let harness = try await Self.harness { $0.limits.headTimeout = .seconds(1) }
        defer { Task { await harness.stop() } }
        // The HTTP client's event loops (epoll and eventfd descriptors) start with its first request.
        _ = try await Self.healthzTime(harness)
        let before = openDescriptors()
        var drippers: [RawSocket] = []
        for _ in 0..<300 { drippers.append(try RawSocket(port: harness.port)) }
        let start = ContinuousClock.now
        var slowest = Duration.zero
        // Two seconds of a byte every 250 ms on each: past the 1 s head timeout.
        let head = Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)
        for step in 0..<8 {
            for socket in drippers { try? socket.send([head[step]]) }
            slowest = max(slowest, try await Self.healthzTime(harness))
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(slowest < .milliseconds(100), "healthz took \(slowest) during the drip")
        let metrics = try PrometheusText.parse(try await harness.get("/metrics").body)
        let lag = try #require(metrics["healthrun_serve_scheduler_lag_seconds{quantile=\"0.99\"}"])
        #expect(lag < 0.1, "the scheduler's lag p99 was \(lag) s during the drip")
        var cut = 0
        for socket in drippers where socket.read(timeout: .milliseconds(500)).end != .open { cut += 1 }
        #expect(cut == drippers.count, "\(cut) of \(drippers.count) dripping connections closed")
        #expect(ContinuousClock.now - start < .seconds(5))
        drippers = []
        try await harness.waitUntil("descriptors back") { openDescriptors() <= before + 2 }
        #expect(openDescriptors() <= before + 2, "\(before) descriptors before, \(openDescriptors()) after")
    }

    @Test func connectionsPastTheCapGet503WithRetryAfter() async throws {
        let harness = try await Self.harness { $0.limits.maxConnections = 20 }
        defer { Task { await harness.stop() } }
        let idle = try (0..<20).map { _ in try RawSocket(port: harness.port) }
        try await Task.sleep(for: .milliseconds(200))
        let extra = try RawSocket(port: harness.port)
        try extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = extra.readAnswer(timeout: .seconds(2))
        #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
        #expect(answer.lowercased().contains("retry-after: 5"))
        #expect(extra.read(timeout: .seconds(3)).end != .open, "a refused connection is closed")
        _ = idle.count
    }

    @Test func anAnnouncedLargeBodyGets413WithoutBeingRead() async throws {
        let harness = try await Self.harness { $0.lifecycle = true }
        defer { Task { await harness.stop() } }
        let socket = try RawSocket(port: harness.port)
        // Only the head: a server that waited for the body would never answer.
        try socket.send("POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n")
        let answer = socket.readAnswer(timeout: .seconds(2))
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
        #expect(answer.contains("limited to 65536 bytes"))
        #expect(socket.read(timeout: .seconds(4)).end != .open, "closed after lingering at most 2 s")
    }

    @Test func unreadBodiesWithConnectionCloseLeaveNoSocketBehind() async throws {
        // Before: 200 × 1 MB with `Connection: close` left 190 sockets in FIN-WAIT-2 and the
        // memory with them. A chunked body the route never reads is drained, then reset.
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        _ = try await Self.healthzTime(harness)
        let before = openDescriptors()
        let chunk = "10000\r\n" + String(repeating: "x", count: 65536) + "\r\n"
        var sockets: [RawSocket] = []
        for _ in 0..<50 {
            let socket = try RawSocket(port: harness.port)
            try socket.send(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk)
            sockets.append(socket)
        }
        var ended = 0
        for socket in sockets {
            let (text, end) = socket.read(timeout: .seconds(4))
            #expect(text.hasPrefix("HTTP/1.1 "), "\(text.prefix(40))")
            if end != .open { ended += 1 }
        }
        #expect(ended == sockets.count, "\(ended) of \(sockets.count) connections ended by serve")
        sockets = []
        try await harness.waitUntil("descriptors back") { openDescriptors() <= before + 2 }
    }

    @Test func http10WithoutKeepAliveIsClosedAfterTheAnswer() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let socket = try RawSocket(port: harness.port)
        try socket.send("GET /healthz HTTP/1.0\r\n\r\n")
        let (text, end) = socket.read(timeout: .seconds(3))
        #expect(text.contains("200") && text.hasSuffix("ok\n"), "\(text)")
        #expect(end == .closed)
    }

    @Test func aRequestWithoutHostIs400() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let socket = try RawSocket(port: harness.port)
        try socket.send("GET /healthz HTTP/1.1\r\n\r\n")
        let answer = socket.readAnswer(timeout: .seconds(2))
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(answer.contains("needs a Host header"))
    }

    @Test func otherMethodsGet405WithAllow() async throws {
        let harness = try await Self.harness { $0.lifecycle = true }
        defer { Task { await harness.stop() } }
        let delete = try await harness.get("/", method: .DELETE)
        #expect(delete.status == 405)
        #expect(delete.header("allow") == "GET, HEAD")
        #expect(try await harness.get("/api/v1/status", method: .POST).status == 405)
        let getReload = try await harness.get("/-/reload")
        #expect(getReload.status == 405)
        #expect(getReload.header("allow") == "POST")
    }

    @Test func everyAnswerCarriesTheSecurityHeadersAndOnlyThePagesScriptsMayRun() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("readiness") { try await harness.get("/readyz").status == 200 }
        for path in ["/", "/checks/db"] {
            let page = try await harness.get(path)
            let policy = try #require(page.header("content-security-policy"))
            let scriptSource = policy.components(separatedBy: ";").first { $0.contains("script-src") } ?? ""
            #expect(!scriptSource.contains("unsafe-inline") && scriptSource.contains("'sha256-"), "\(scriptSource)")
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(page.header("x-frame-options") == "DENY")
            #expect(page.header("x-content-type-options") == "nosniff")
            #expect(page.header("referrer-policy") == "no-referrer")
            // The hash in the policy is the hash of the script the page carries.
            let script = try #require(
                page.body.components(separatedBy: "<script>").last?.components(separatedBy: "</script>").first)
            let digest = try Self.opensslSHA256(script)
            #expect(policy.contains("'sha256-\(digest)'"), "\(path): \(policy)")
        }
        let badge = try await harness.get("/badge/db.svg")
        #expect(badge.header("content-type") == "image/svg+xml")
        #expect(badge.header("content-security-policy")?.hasPrefix("default-src 'none'") == true)
        let reflected = try await harness.get("/api/v1/events?check=%3Cscript%3E")
        #expect(reflected.status == 404)
        #expect(reflected.header("x-content-type-options") == "nosniff")
        #expect(reflected.header("content-type")?.hasPrefix("application/json") == true)
        let missing = try await harness.get("/checks/nope")
        #expect(missing.status == 404)
        #expect(missing.header("content-type")?.hasPrefix("text/html") == true)
        #expect(missing.body.contains("No check named “nope”"))
    }

    /// The base64 SHA-256 of `text` as openssl computes it (an independent implementation).
    static func opensslSHA256(_ text: String) throws -> String {
        let file = NSTemporaryDirectory() + "script-\(UUID().uuidString)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "openssl dgst -sha256 -binary '\(file)' | base64"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func reloadNeedsTheLifecycleFlagAndServesOwnOrigin() async throws {
        let off = try await Self.harness()
        let refused = try await off.get("/-/reload", method: .POST)
        #expect(refused.status == 403)
        #expect(refused.body.contains("--enable-lifecycle"))
        await off.stop()

        let on = try await Self.harness { $0.lifecycle = true }
        defer { Task { await on.stop() } }
        #expect(try await on.get("/-/reload", method: .POST).status == 200)
        for (origin, status) in [("http://evil.example", 403), ("http://127.0.0.1:\(on.port)", 200)] {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(on.port)/-/reload")
            request.method = .POST
            request.headers.add(name: "Origin", value: origin)
            let response = try await rawClient.execute(request, timeout: .seconds(5))
            #expect(Int(response.status.code) == status, "\(origin)")
        }
    }

    @Test func eventStreamsPastTheCapGet503() async throws {
        let harness = try await Self.harness { $0.limits.maxStreams = 3 }
        defer { Task { await harness.stop() } }
        var streams: [RawSocket] = []
        for _ in 0..<3 {
            let socket = try RawSocket(port: harness.port)
            try socket.send("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(socket.read(timeout: .milliseconds(300)).text.hasPrefix("HTTP/1.1 200"))
            streams.append(socket)
        }
        let refused = try await harness.get("/api/v1/stream")
        #expect(refused.status == 503)
        #expect(refused.header("retry-after") == "5")
        streams.removeFirst()
        try await harness.waitUntil("a stream slot freed") {
            harness.runtime.state.subscriberCount < 3
        }
    }

    @Test func twoThousandEventStreamClientsCostBoundedMemoryAndNeverSlowTheChecks() async throws {
        // The stream cap under test, not the connection cap (its own test): room for all 2,000.
        let harness = try await Self.harness { $0.limits.maxConnections = 4096 }
        defer { Task { await harness.stop() } }
        _ = try await Self.healthzTime(harness)
        let descriptors = openDescriptors()

        /// 2,000 clients subscribe; returns how many got the stream and how many a 503, and the
        /// slowest /healthz meanwhile.
        func round() async throws -> (streams: Int, refused: Int, slowest: Duration) {
            var clients: [RawSocket] = []
            for _ in 0..<2000 {
                let socket = try RawSocket(port: harness.port)
                try socket.send("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n")
                clients.append(socket)
            }
            var streams = 0
            var refused = 0
            for client in clients {
                switch client.readStatus(timeout: .seconds(5)) {
                case 200: streams += 1
                case 503: refused += 1
                default: break
                }
            }
            var slowest = Duration.zero
            for _ in 0..<10 {
                slowest = max(slowest, try await Self.healthzTime(harness))
                try await Task.sleep(for: .milliseconds(100))
            }
            return (streams, refused, slowest)
        }
        let first = try await round()
        #expect(first.streams == ServeLimits().maxStreams, "\(first)")
        #expect(first.refused == 2000 - ServeLimits().maxStreams, "\(first)")
        #expect(first.slowest < .milliseconds(100), "healthz took \(first.slowest) with 2,000 clients")
        try await harness.waitUntil("the streams are gone") { harness.runtime.state.subscriberCount == 0 }
        // Memory in use once the first round warmed up: a second round leaves it where it was.
        // malloc_trim returns what the allocator keeps free to the system (its arenas grow in
        // steps that say nothing about what is held), so what is left is what is in use.
        try await Task.sleep(for: .milliseconds(500))
        trimMalloc()
        let before = residentBytes()
        let second = try await round()
        #expect(second.streams == ServeLimits().maxStreams)
        try await harness.waitUntil("the streams are gone") { harness.runtime.state.subscriberCount == 0 }
        try await Task.sleep(for: .milliseconds(500))
        trimMalloc()
        let after = residentBytes()
        #expect(Double(after) <= Double(before) * 1.10, "RSS \(before >> 20) MiB before, \(after >> 20) MiB after")
        let metrics = try PrometheusText.parse(try await harness.get("/metrics").body)
        let lag = try #require(metrics["healthrun_serve_scheduler_lag_seconds{quantile=\"0.99\"}"])
        #expect(lag < 0.1, "the scheduler's lag p99 was \(lag) s")
        try await harness.waitUntil("descriptors back") { openDescriptors() <= descriptors + 2 }
    }

    @Test func basicAuthGuardsEveryRouteButTheProbes() async throws {
        let users = ["admin": WebTestSecrets.hash]
        let harness = try await Self.harness { $0.web = WebConfiguration(users: users) }
        defer { Task { await harness.stop() } }
        #expect(try await harness.get("/healthz").status == 200)
        #expect(try await harness.get("/readyz").status != 401)
        let anonymous = try await harness.get("/")
        #expect(anonymous.status == 401)
        #expect(anonymous.header("www-authenticate")?.hasPrefix("Basic realm=") == true)
        for (user, password, status) in [
            ("admin", WebTestSecrets.password, 200), ("admin", "wrong", 401), ("nobody", WebTestSecrets.password, 401),
        ] {
            for path in ["/", "/api/v1/status", "/metrics"] {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)\(path)")
                request.headers.add(
                    name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
                let response = try await rawClient.execute(request, timeout: .seconds(5))
                #expect(Int(response.status.code) == status, "\(user) \(path)")
            }
        }
        // The event stream through auth.
        let socket = try RawSocket(port: harness.port)
        let credentials = Data("admin:\(WebTestSecrets.password)".utf8).base64EncodedString()
        try socket.send("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \(credentials)\r\n\r\n")
        #expect(socket.readStatus(timeout: .seconds(5)) == 200, "the event stream through auth")
    }

    @Test func tlsWithAClientCARefusesClientsWithoutItsCertificate() async throws {
        let certificates = try await TestCertificates.make(script: WebTestSecrets.certificateScript)
        defer { certificates.remove() }
        let web = WebConfiguration(
            tls: .init(
                certFile: certificates.path("server.pem"), keyFile: certificates.path("server-key.pem"),
                clientCAFile: certificates.path("ca.pem")))
        let harness = try await Self.harness { $0.web = web }
        defer { Task { await harness.stop() } }

        func client(certificate: String?) throws -> HTTPClient {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.path("ca.pem")))
            if let certificate {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.path("\(certificate).pem")).map {
                    .certificate($0)
                }
                tls.privateKey = .privateKey(
                    try NIOSSLPrivateKey(file: certificates.path("\(certificate)-key.pem"), format: .pem))
            }
            return HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(tlsConfiguration: tls))
        }
        for (certificate, accepted) in [("server", true), ("self-signed", false), (nil, false)] as [(String?, Bool)] {
            let client = try client(certificate: certificate)
            defer { _ = client.shutdown() }
            let request = HTTPClientRequest(url: "https://127.0.0.1:\(harness.port)/healthz")
            let status = try? await client.execute(request, timeout: .seconds(5)).status.code
            #expect(
                (status == 200) == accepted,
                "client certificate \(certificate ?? "none"): \(String(describing: status))")
        }
        // Plain HTTP on the TLS port gets no answer.
        let plain = try RawSocket(port: harness.port)
        try plain.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = plain.read(timeout: Duration.seconds(1))
        #expect(!answer.text.contains("200"))
    }
}

/// A made-up password and its bcrypt hash (cost 4, for speed), and where the certificate
/// generator is.
enum WebTestSecrets {
    static let password = "correct horse battery staple"
    static let hash = Bcrypt.hash(password, cost: 4)
    static let certificateScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/make-test-certs.py").path
}
