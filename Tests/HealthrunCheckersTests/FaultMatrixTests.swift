import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

/// Every HTTP-speaking checker type × every server fault that applies: each ends in a fail whose
/// message names the fault, within timeout + 0.5 s. Adding a fault or a type adds a row.
@Suite struct FaultMatrixTests {
    enum Kind: String, CaseIterable, Sendable {
        case http, modelsGeneric, modelsOpenAI, modelsAnthropic, gigaChatTokenStep, telegram
        case completionAnthropic, completionOpenAI, usageOpenRouter

        func fields(_ base: String) -> (type: String, fields: String) {
            switch self {
            case .http: ("http", "url: \(base)/health\nexpect: {json: {\"$.status\": ok}}")
            case .modelsGeneric: ("models", "url: \(base)/v1/models\napi_key: sk-canary-matrix-0123456789")
            case .modelsOpenAI:
                ("models", "provider: openai\nurl: \(base)/v1/models\napi_key: sk-canary-matrix-0123456789")
            case .modelsAnthropic:
                ("models", "provider: anthropic\nurl: \(base)/v1/models\napi_key: sk-canary-matrix-0123456789")
            case .gigaChatTokenStep:
                (
                    "models",
                    "provider: gigachat\nurl: \(base)/api/v1/models\ntoken_url: \(base)/api/v2/oauth\nauth_key: canary-matrix-key-0123"
                )
            case .telegram: ("telegram", "token: \"1234:canary-matrix-token-0123\"\napi_url: \(base)")
            case .completionAnthropic:
                (
                    "completion",
                    "provider: anthropic\nurl: \(base)/v1/messages\napi_key: sk-canary-matrix-0123456789\nmodel: sonnet"
                )
            case .usageOpenRouter:
                ("usage", "provider: openrouter\nurl: \(base)\napi_key: sk-canary-matrix-0123456789")
            case .completionOpenAI:
                (
                    "completion",
                    "provider: openai\nurl: \(base)/v1/chat/completions\napi_key: sk-canary-matrix-0123456789\nmodel: gpt-4o"
                )
            }
        }

        var followsRedirects: Bool {
            ![.telegram, .gigaChatTokenStep, .completionAnthropic, .completionOpenAI].contains(self)
        }
    }

    enum Fault: String, CaseIterable, Sendable {
        case refused, blackhole, tlsNeverHandshakes, untrustedCertificate, expiredCertificate, wrongHostCertificate
        case headersThenSilence, dripsTheBody
        case floodChunked, floodWithLength, shortBody, resetMidBody, invalidJSON, wrongShape, emptyBody
        case nonUTF8Body, hugeJSONString, redirectLoop, redirectToRefusedPort

        static let hugeJSONBody = Behaviour.json(200, #"{"data":""# + String(repeating: "x", count: 20 << 20) + #""}"#)

        var behaviour: Behaviour {
            switch self {
            case .headersThenSilence: .headThenSilence(contentLength: 100)
            case .dripsTheBody:
                .drip(status: 200, body: Array(#"{"status":"ok","data":[]}"#.utf8), chunk: 1, every: .milliseconds(200))
            case .floodChunked: .flood(size: 64 << 20, chunked: true)
            case .floodWithLength: .flood(size: 64 << 20, chunked: false)
            case .shortBody: .shortBody(contentLength: 1000, body: Array(#"{"data":["#.utf8))
            case .resetMidBody: .reset(afterBodyBytes: 10)
            case .invalidJSON: .text(200, "<html>maintenance</html>")
            case .wrongShape: .json(200, #"{"unexpected":1}"#)
            case .emptyBody: .respond(status: 200, headers: [("Content-Type", "application/json")])
            case .nonUTF8Body: .respond(status: 200, body: [0xFF, 0xFE, 0x7B, 0x00, 0xC3, 0x28])
            case .hugeJSONString: Self.hugeJSONBody
            case .redirectLoop: .redirect(to: "/loop-\(Int.random(in: 0...1))")
            default: .text(200, "ok")
            }
        }

        /// Faults that hang get the short timeout they are judged by. Faults that end on their
        /// own get 2 s: a hundred cases share two cores, and one that ends quickly alone can
        /// wait past 500 ms for a thread here (an invalid JSON body once "timed out"). Their
        /// message must still name the fault, so a timeout fails them all the same.
        var timeout: String {
            switch self {
            case .blackhole, .tlsNeverHandshakes, .headersThenSilence, .dripsTheBody: "500ms"
            default: "2s"
            }
        }

        /// Words the message must contain (one of them), for a kind.
        func expected(_ kind: Kind) -> [String] {
            switch self {
            case .refused: ["connection refused"]
            case .blackhole, .tlsNeverHandshakes, .headersThenSilence, .dripsTheBody: ["timed out after 500ms"]
            case .untrustedCertificate, .expiredCertificate: ["TLS: certificate not trusted"]
            case .wrongHostCertificate: ["TLS: certificate is not valid for host"]
            case .floodChunked, .floodWithLength, .hugeJSONString: ["larger than max_body", "larger than 1024 KiB"]
            case .shortBody: ["before a complete response"]
            case .resetMidBody: ["connection reset", "connection closed"]
            case .invalidJSON, .nonUTF8Body: ["invalid JSON"]
            case .wrongShape:
                ["JSON shape", "not found in the response", "ok=false", "no access_token", "empty answer"]
            case .emptyBody: ["empty response body"]
            case .redirectLoop: kind.followsRedirects ? ["redirect loop"] : ["302 Found"]
            case .redirectToRefusedPort: kind.followsRedirects ? ["connection refused"] : ["302 Found"]
            }
        }
    }

    @Test(arguments: Kind.allCases, Fault.allCases)
    func everyFaultEndsInAClearFailOnTime(kind: Kind, fault: Fault) async throws {
        let base: String
        var servers: [LoopbackHTTPServer] = []
        var blackhole: BlackholeServer?
        switch fault {
        case .refused:
            base = "http://127.0.0.1:\(try await refusedPort())"
        case .blackhole, .tlsNeverHandshakes:
            let server = try await BlackholeServer()
            blackhole = server
            base = "\(fault == .blackhole ? "http" : "https")://127.0.0.1:\(server.port)"
        case .untrustedCertificate, .expiredCertificate, .wrongHostCertificate:
            let certificates = try await HTTPTLSTests.certificates.value
            let name = [.untrustedCertificate: "self-signed", .expiredCertificate: "expired"][fault] ?? "wrong-host"
            let server = try await LoopbackHTTPServer(
                tls: (certificates.path("\(name).pem"), certificates.path("\(name)-key.pem"))
            ) {
                _ in .text(200, "ok")
            }
            servers.append(server)
            base = server.baseURL
        case .redirectToRefusedPort:
            let port = try await refusedPort()
            let server = try await LoopbackHTTPServer { _ in .redirect(to: "http://127.0.0.1:\(port)/elsewhere") }
            servers.append(server)
            base = server.baseURL
        default:
            let behaviour = fault.behaviour
            let server = try await LoopbackHTTPServer { _ in behaviour }
            servers.append(server)
            base = server.baseURL
        }
        let opened = servers
        let listener = blackhole
        defer {
            Task {
                for server in opened { await server.close() }
                await listener?.close()
            }
        }
        var (type, fields) = kind.fields(base)
        if fault == .expiredCertificate || fault == .wrongHostCertificate {
            // Trusted roots, so the only fault is the one named.
            fields += "\ntls: {ca_file: \(try await HTTPTLSTests.certificates.value.path("ca.pem"))}"
        }
        let run = try await CheckHarness.run(CheckHarness.check(type, timeout: fault.timeout, fields))
        #expect(run.result.status == .fail, "\(kind) × \(fault): \(run.result.status) \(run.result.message)")
        let limit = (try DurationParser.parse(fault.timeout)) + .milliseconds(500)
        #expect(run.result.duration < limit, "\(kind) × \(fault) took \(run.result.duration)")
        let message = run.result.message
        #expect(fault.expected(kind).contains { message.contains($0) }, "\(kind) × \(fault): \(message)")
        #expect(!run.allOutput.contains("canary-matrix"), "\(kind) × \(fault) leaked a credential")
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "control characters in \(message)")
    }
}

extension FaultMatrixTests.Kind: CustomTestStringConvertible {
    var testDescription: String { rawValue }
}

extension FaultMatrixTests.Fault: CustomTestStringConvertible {
    var testDescription: String { rawValue }
}
