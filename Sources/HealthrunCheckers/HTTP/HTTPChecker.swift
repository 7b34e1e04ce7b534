import AsyncHTTPClient
import Foundation
public import HealthrunCore
import NIOCore
import NIOHTTP1
import NIOSSL

/// `type: http` — one request, judged by status, body, JSON paths, headers and certificate expiry.
public struct HTTPChecker: Checker {
    public static let typeName = "http"
    /// SwiftNIO only: never blocks a thread.
    public static let mayBlock = false

    /// The fields of an http check.
    public struct Configuration: Decodable, Sendable {
        public var url: String
        public var method: String?
        public var headers: HeaderFields?
        public var body: String?
        public var followRedirects: Bool?
        public var maxBody: ByteSize?
        public var tls: TLSOptions?
        public var expect: HTTPExpectation?

        enum CodingKeys: String, CodingKey {
            case url, method, headers, body
            case followRedirects = "follow_redirects"
            case maxBody = "max_body"
            case tls, expect
        }
    }

    let spec: HTTPRequestSpec
    let status: StatusExpectation
    let expectation: HTTPExpectation
    let jsonPaths: [(path: JSONPath, value: DetailValue)]
    let certExpiryWarn: Duration?
    let provider: HTTPClientProvider

    public var target: String? { TargetText.url(spec.url) }

    /// Validates the configuration and builds the checker.
    public init(configuration: Configuration, provider: HTTPClientProvider) throws {
        let url = try HTTPFetcher.validateURL(configuration.url, field: ["url"])
        let methodName = (configuration.method ?? "GET").uppercased()
        let known = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        guard known.contains(methodName) else {
            throw ConfigValueError(
                "unsupported method '\(configuration.method ?? "")'",
                field: ["method"],
                hint: "use one of: \(known.joined(separator: ", "))"
            )
        }
        let maxBody = configuration.maxBody?.bytes ?? (1 << 20)
        guard maxBody > 0 else { throw ConfigValueError("max_body must be more than 0", field: ["max_body"]) }
        let tlsConfiguration = try configuration.tls?.makeConfiguration()
        if configuration.tls?.certExpiryWarn != nil, url.scheme?.lowercased() != "https" {
            throw ConfigValueError("cert_expiry_warn needs an https:// URL", field: ["tls", "cert_expiry_warn"])
        }
        expectation = configuration.expect ?? HTTPExpectation()
        jsonPaths = try expectation.validated()
        status = expectation.status ?? .success
        certExpiryWarn = configuration.tls?.certExpiryWarn?.duration
        spec = HTTPRequestSpec(
            url: configuration.url,
            method: HTTPMethod(rawValue: methodName),
            headers: configuration.headers?.fields ?? [],
            body: configuration.body.map { Array($0.utf8) },
            followRedirects: configuration.followRedirects ?? true,
            maxBody: maxBody,
            tlsConfiguration: tlsConfiguration
        )
        self.provider = provider
    }

    public var metricNames: [String]? { ["status_code", "body_bytes", "cert_expiry_days"] }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let response = try await HTTPFetcher.fetch(
            spec, client: provider.client, deadline: context.ioDeadline, progress: context.progress)
        var details: [String: DetailValue] = ["status_code": .int(response.status)]
        if response.redirects > 0 {
            details["redirects"] = .int(response.redirects)
            details["final_url"] = .string(response.url)
        }
        if response.truncated { details["body_truncated"] = true }
        let metrics = [
            Metric("body_bytes", Double(response.body.count), unit: .bytes),
            Metric("status_code", Double(response.status)),
        ]
        guard status.matches(response.status) else {
            var message = "expected status \(status), got \(response.statusLine)"
            if !response.body.isEmpty { message += ": \(Snippet.of(response.body, limit: 100))" }
            return .fail(message, details: details, metrics: metrics)
        }
        if let problem = expectation.problem(with: response, jsonPaths: jsonPaths) {
            return .fail(problem, details: details, metrics: metrics)
        }
        var outcome = CheckOutcome.ok(response.statusLine, details: details, metrics: metrics)
        if let certExpiryWarn {
            try await judgeCertificate(into: &outcome, warnBefore: certExpiryWarn, deadline: context.ioDeadline)
        }
        return outcome
    }

    private func judgeCertificate(
        into outcome: inout CheckOutcome, warnBefore: Duration, deadline: ContinuousClock.Instant
    ) async throws {
        let target = HTTPFetcher.Target(spec.url)
        let expiry: Date
        do {
            expiry = try await CertificateProbe.expiry(
                host: target.host,
                port: target.port,
                configuration: spec.tlsConfiguration ?? .makeClientConfiguration(),
                deadline: deadline
            )
        } catch let failure as CheckFailure {
            throw failure
        } catch {
            throw CheckFailure(NetworkErrors.describe(error, host: target.host, port: target.port))
        }
        let formatter = ISO8601DateFormatter()
        let left = expiry.timeIntervalSinceNow
        outcome.details["cert_expires_at"] = .string(formatter.string(from: expiry))
        // Whole days left, as Nagios' check_http -C counts them; first: it is the telling one.
        outcome.metrics.insert(Metric("cert_expiry_days", (left / 86400).rounded(.down)), at: 0)
        if left <= 0 {
            outcome.status = .fail
            outcome.message = "TLS: certificate expired on \(formatter.string(from: expiry))"
        } else if left < warnBefore.seconds {
            outcome.status = .warn
            outcome.message += "; certificate expires in \(Int(left / 86400)) days (\(formatter.string(from: expiry)))"
        }
    }
}
