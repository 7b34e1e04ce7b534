import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct HTTPTLSTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/make-test-certs.py")
        .path

    /// Made once for the suite.
    static let certificates = Task { try await TestCertificates.make(script: script, validDays: 30) }

    func serve(_ certificates: TestCertificates, _ name: String) async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer(tls: (certificates.path("\(name).pem"), certificates.path("\(name)-key.pem"))) {
            _ in
            .text(200, "ok")
        }
    }

    @Test(arguments: [
        ("server", "", CheckStatus.fail, "TLS: certificate not trusted (127.0.0.1:PORT)"),
        ("server", "tls: {ca_file: CA}", .ok, "200 OK"),
        ("self-signed", "tls: {ca_file: CA}", .fail, "TLS: certificate not trusted (127.0.0.1:PORT)"),
        ("self-signed", "tls: {insecure: true}", .ok, "200 OK"),
        ("expired", "tls: {ca_file: CA}", .fail, "TLS: certificate not trusted (127.0.0.1:PORT)"),
        ("wrong-host", "tls: {ca_file: CA}", .fail, "TLS: certificate is not valid for host '127.0.0.1'"),
        ("server", "tls: {ca_file: CA, cert_expiry_warn: 1000h}", .warn, "; certificate expires in 29 days"),
        ("server", "tls: {ca_file: CA, cert_expiry_warn: 24h}", .ok, "200 OK"),
        ("expired", "tls: {insecure: true, cert_expiry_warn: 24h}", .fail, "TLS: certificate expired on "),
        (
            "server",
            "tls: {ca_file: CA, cert_expiry_warn: 24h}\nthresholds: [{metric: cert_expiry_days, warn_below: 60}]",
            .warn, "200 OK; cert_expiry_days 29 < 60"
        ),
    ])
    func certificates(served: String, tls: String, status: CheckStatus, message: String) async throws {
        let certificates = try await Self.certificates.value
        let server = try await serve(certificates, served)
        defer { Task { await server.close() } }
        let fields = "url: \(server.baseURL)/\n" + tls.replacingOccurrences(of: "CA", with: certificates.path("ca.pem"))
        let run = try await CheckHarness.run(CheckHarness.check("http", fields))
        #expect(run.result.status == status, "\(run.result.message)")
        #expect(
            run.result.message.contains(message.replacingOccurrences(of: "PORT", with: "\(server.port)")),
            "\(run.result.message)")
        if tls.contains("cert_expiry_warn"), status != .fail {
            #expect(run.result.details["cert_expires_at"] != nil)
            // The certificate is made to last 30 days: 29 whole days are left.
            #expect(
                run.result.metrics.first == Metric("cert_expiry_days", 29, breach: tls.contains("60") ? .warn : nil))
        }
    }

    @Test func aTLSListenerThatNeverCompletesTheHandshakeTimesOut() async throws {
        let blackhole = try await BlackholeServer()
        defer { Task { await blackhole.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("http", timeout: "500ms", "url: https://127.0.0.1:\(blackhole.port)/"))
        #expect(run.result.message == "timed out after 500ms: no answer from 127.0.0.1:\(blackhole.port)")
        #expect(run.elapsed < .seconds(1))
    }
}
