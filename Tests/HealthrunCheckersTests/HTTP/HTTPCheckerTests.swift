import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct HTTPCheckerTests {
    @Test func okMessageAndDetails() async throws {
        let server = try await LoopbackHTTPServer { _ in .text(200, "ok") }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("http", "url: \(server.baseURL)/health\nexpect: {status: 200, body_contains: ok}"))
        #expect(run.result.status == .ok)
        #expect(run.result.message == "200 OK")
        #expect(run.result.details["status_code"] == .int(200))
    }

    @Test func everyResultNamesItsTargetWithoutCredentials() async throws {
        // A silent server: the timeout says what it waited for; details carry the target
        // without the user, password or query (where keys travel).
        let server = try await LoopbackHTTPServer { _ in .silent }
        defer { Task { await server.close() } }
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "http://probe:hunter2@") + "/x?key=abc"
        let run = try await CheckHarness.run(CheckHarness.check("http", timeout: "300ms", "url: \(url)"))
        let target = "\(server.baseURL)/x"
        #expect(run.result.message == "timed out after 300ms: no answer from 127.0.0.1:\(server.port)")
        #expect(run.result.details["target"] == .string(target))
        #expect(!run.allOutput.contains("hunter2") && !run.allOutput.contains("key=abc"))
    }

    @Test func aTimeoutSaysWhatItWasWaitingFor() async throws {
        // Headers came, the body drips: the timeout says so rather than "no answer".
        let server = try await LoopbackHTTPServer { _ in
            .drip(
                status: 200, body: Array(repeating: UInt8(ascii: "x"), count: 100), chunk: 1, every: .milliseconds(100))
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("http", timeout: "500ms", "url: \(server.baseURL)/slow\nexpect: {body_contains: y}"))
        #expect(
            run.result.message
                == "timed out after 500ms: 200 OK from 127.0.0.1:\(server.port), then the body did not finish")
    }

    @Test(arguments: [
        ("http", "url: http://no-such-host.invalid/health"),
        ("tcp", "host: no-such-host.invalid\nport: 80"),
        ("telegram", "token: \"123:abc\"\napi_url: http://no-such-host.invalid"),
    ])
    func anUnresolvableHostIsSaidOnceInPlainWords(type: String, fields: String) async throws {
        // Before: "cannot resolve host '…': SocketAddressError.UnknownHost: … (error -2) for host …".
        let run = try await CheckHarness.run(CheckHarness.check(type, fields))
        #expect(run.result.message.hasSuffix("cannot resolve host 'no-such-host.invalid'"), "\(run.result.message)")
        #expect(!run.allOutput.contains("SocketAddressError"))
    }

    @Test func sendsMethodHeadersAndBody() async throws {
        let server = try await LoopbackHTTPServer { request in
            request.method == "POST" && request.header("x-probe") == "1" && request.bodyText == "ping"
                ? .text(201, "made") : .text(400, "bad")
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "http",
                "url: \(server.baseURL)/\nmethod: post\nheaders: {X-Probe: \"1\"}\nbody: ping\nexpect: {status: [200, 201]}"
            )
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
    }

    @Test(arguments: [
        ("status: 200", 503, "expected status 200, got 503 Service Unavailable: down"),
        ("status: \"2xx\"", 404, "expected status 2xx, got 404 Not Found: down"),
        ("status: [200, 204]", 500, "expected status 200 or 204, got 500 Internal Server Error: down"),
    ])
    func statusExpectations(expect: String, status: Int, message: String) async throws {
        let server = try await LoopbackHTTPServer { _ in .text(status, "down") }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(CheckHarness.check("http", "url: \(server.baseURL)/\nexpect: {\(expect)}"))
        #expect(run.result.status == .fail)
        #expect(run.result.message == message)
    }

    @Test(arguments: [
        (#"body_contains: "healthy""#, "body does not contain \"healthy\""),
        (#"body_regex: "^ok$""#, "body does not match /^ok$/"),
        (#"json: {"$.status": ok}"#, "$.status is \"degraded\", expected \"ok\""),
        (#"json: {"$.checks[1].name": db}"#, "$.checks[1].name is \"cache\", expected \"db\""),
        (#"json: {"$.missing": 1}"#, "$.missing not found in the response"),
        (#"json: {"$.count": 3}"#, "$.count is 2, expected 3"),
        (#"headers: {Content-Type: text/html}"#, "header Content-Type is \"application/json\", expected \"text/html\""),
    ])
    func bodyAndHeaderExpectations(expect: String, message: String) async throws {
        let server = try await LoopbackHTTPServer { _ in
            .json(200, #"{"status":"degraded","count":2,"checks":[{"name":"db"},{"name":"cache"}]}"#)
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(CheckHarness.check("http", "url: \(server.baseURL)/\nexpect: {\(expect)}"))
        #expect(run.result.status == .fail)
        #expect(run.result.message == message)
    }

    @Test func jsonExpectationsThatHold() async throws {
        let server = try await LoopbackHTTPServer { _ in .json(200, #"{"status":"ok","ready":true,"count":2}"#) }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "http",
                #"url: \#(server.baseURL)/"# + "\n"
                    + #"expect: {json: {"$.status": ok, "$.ready": true, "$.count": 2}}"#)
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
    }

    /// Every misbehaviour ends in a fail with a message naming it, within timeout + 0.5 s.
    @Test(arguments: HTTPFault.allCases)
    func faultsEndInAClearFailOnTime(fault: HTTPFault) async throws {
        let server = try await LoopbackHTTPServer(handler: fault.behaviour)
        defer { Task { await server.close() } }
        let refused = try await refusedPort()
        let url = fault == .redirectToRefusedPort ? "\(server.baseURL)/a" : "\(server.baseURL)/a"
        let fields = "url: \(url)\nmax_body: 64KiB" + (fault.needsBody ? "\nexpect: {body_contains: zzz}" : "")
        let handler = fault == .redirectToRefusedPort ? fault.redirecting(to: refused) : nil
        let target: LoopbackHTTPServer
        if let handler {
            target = try await LoopbackHTTPServer(handler: handler)
        } else {
            target = server
        }
        defer { Task { await target.close() } }
        let yaml = CheckHarness.check(
            "http", timeout: "1s", fields.replacingOccurrences(of: server.baseURL, with: target.baseURL))
        let run = try await CheckHarness.run(yaml)
        #expect(run.elapsed < .milliseconds(1500), "\(fault) took \(run.elapsed)")
        #expect(run.result.status == .fail)
        let expected = fault.message(port: target.port, refused: refused)
        #expect(run.result.message.contains(expected), "\(fault): \(run.result.message)")
    }

    @Test func refusedConnectionFailsAtOnceNotAtTheDeadline() async throws {
        let port = try await refusedPort()
        let run = try await CheckHarness.run(
            CheckHarness.check("http", timeout: "5s", "url: http://127.0.0.1:\(port)/"))
        #expect(run.result.message == "connection refused to 127.0.0.1:\(port)")
        #expect(run.elapsed < .seconds(1), "a refused connection was retried: \(run.elapsed)")
    }

    @Test func aHugeBodyIsReadOnlyUpToMaxBody() async throws {
        let server = try await LoopbackHTTPServer { _ in .flood(size: 500 << 20, chunked: false) }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("http", timeout: "5s", "url: \(server.baseURL)/\nmax_body: 1MiB"))
        #expect(run.result.status == .ok)
        #expect(run.result.details["body_truncated"] == .bool(true))
        #expect(run.elapsed < .seconds(2), "read more than max_body: \(run.elapsed)")
    }

    @Test func manyChecksAgainstOneHostRunInParallel() async throws {
        let server = try await LoopbackHTTPServer { _ in .delayed(.milliseconds(300), .text(200, "ok")) }
        defer { Task { await server.close() } }
        var yaml = "checks:\n"
        for index in 0..<64 { yaml += "  - {name: c\(index), type: http, url: \"\(server.baseURL)/\(index)\"}\n" }
        let run = try await CheckHarness.run(yaml, concurrency: 64)
        #expect(run.report.summary.ok == 64)
        // A pool of 8 connections would need 64 / 8 × 300 ms = 2.4 s.
        #expect(run.elapsed < .milliseconds(1500), "checks queued behind the connection pool: \(run.elapsed)")
    }

    @Test(arguments: [
        ("url: not a url", "test.yaml:5:10: error: invalid URL 'not a url'"),
        ("url: ftp://127.0.0.1/", "test.yaml:5:10: error: unsupported URL scheme 'ftp' in 'ftp://127.0.0.1/'"),
        ("url: http://127.0.0.1/\nmethod: FETCH", "test.yaml:6:13: error: unsupported method 'FETCH'"),
        ("url: http://127.0.0.1/\nexpect: {status: 99}", "test.yaml:6:22: error: invalid status '99'"),
        (
            "url: http://127.0.0.1/\nexpect: {json: {\"status\": ok}}",
            "test.yaml:6:31: error: JSON path 'status' must start with '$'"
        ),
        ("url: http://127.0.0.1/\nmax_body: lots", "test.yaml:6:15: error: invalid size 'lots'"),
        (
            "url: http://127.0.0.1/\ntls: {ca_file: /nonexistent.pem}",
            "test.yaml:6:20: error: cannot read ca_file '/nonexistent.pem'"
        ),
        (
            "url: http://127.0.0.1/\nexpect: {stauts: 200}",
            "test.yaml:6:14: error: unknown key 'stauts' in check 'probe'"
        ),
    ])
    func invalidFieldsAreLocated(fields: String, diagnostic: String) {
        var registry = CheckerRegistry()
        registry.registerNetworkCheckers(http: HTTPClientProvider(concurrency: 1))
        let loader = ConfigLoader(registry: registry, environment: [:])
        do {
            _ = try loader.load(sources: [ConfigSource(path: "test.yaml", text: CheckHarness.check("http", fields))])
            Issue.record("loaded")
        } catch {
            #expect(error.diagnostics.first?.description.hasPrefix(diagnostic) == true, "\(error.diagnostics)")
        }
    }
}

/// Server misbehaviours of the HTTP fault table.
enum HTTPFault: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case neverAnswers, headersThenSilence, dripsTheBody, floodsChunked, floodsWithLength, shortBody, resetsMidBody
    case resetsAtOnce, invalidJSONIsFine, redirectLoop, redirectToRefusedPort

    var testDescription: String { rawValue }

    var needsBody: Bool { self != .redirectLoop && self != .redirectToRefusedPort && self != .invalidJSONIsFine }

    var behaviour: @Sendable (RecordedRequest) -> Behaviour {
        switch self {
        case .neverAnswers: return { _ in .silent }
        case .headersThenSilence: return { _ in .headThenSilence(contentLength: 100) }
        case .dripsTheBody:
            return { _ in
                .drip(
                    status: 200, body: Array(repeating: UInt8(ascii: "a"), count: 100), chunk: 1,
                    every: .milliseconds(100))
            }
        case .floodsChunked: return { _ in .flood(size: 300 << 20, chunked: true) }
        case .floodsWithLength: return { _ in .flood(size: 300 << 20, chunked: false) }
        case .shortBody: return { _ in .shortBody(contentLength: 1000, body: Array("partial".utf8)) }
        case .resetsMidBody: return { _ in .reset(afterBodyBytes: 10) }
        case .resetsAtOnce: return { _ in .reset(afterBodyBytes: nil) }
        case .invalidJSONIsFine: return { _ in .text(500, "<html>\u{1B}[31mboom</html>") }
        case .redirectLoop: return { request in .redirect(to: request.path == "/a" ? "/b" : "/a") }
        case .redirectToRefusedPort: return { _ in .silent }
        }
    }

    func redirecting(to port: Int) -> @Sendable (RecordedRequest) -> Behaviour {
        { _ in .redirect(to: "http://127.0.0.1:\(port)/elsewhere") }
    }

    func message(port: Int, refused: Int) -> String {
        switch self {
        case .neverAnswers, .headersThenSilence, .dripsTheBody: return "timed out after 1s"
        case .floodsChunked, .floodsWithLength:
            return "body does not contain \"zzz\" (first 64 KiB read; raise max_body)"
        case .shortBody:
            return "then connection closed by 127.0.0.1:\(port) before a complete response after 7 bytes of body"
        case .resetsMidBody: return "200 OK, then connection "
        case .resetsAtOnce: return "127.0.0.1:\(port)"
        case .invalidJSONIsFine:
            return #"expected status 2xx, got 500 Internal Server Error: <html>\u{1b}[31mboom</html>"#
        case .redirectLoop: return "redirect loop: /a → /b → /a"
        case .redirectToRefusedPort: return "connection refused to 127.0.0.1:\(refused)"
        }
    }
}
