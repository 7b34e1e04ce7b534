import Foundation

/// Certificates for TLS tests, made fresh in a temporary directory by `scripts/make-test-certs.py`
/// (Python's `cryptography`): a CA, a server certificate for 127.0.0.1 signed by it, one for
/// another host, an expired one, and a self-signed one.
public struct TestCertificates: Sendable {
    /// The directory holding the PEM files.
    public let directory: String

    /// `ca.pem`, `server.pem`, `server-key.pem`, `wrong-host.pem`, `expired.pem`, `self-signed.pem`, …
    public func path(_ name: String) -> String { directory + "/" + name }

    /// Runs the generator (`script` is the path of `make-test-certs.py`) without blocking a
    /// thread: the tests' timers share the cooperative pool.
    public static func make(script: String, validDays: Int = 30) async throws -> TestCertificates {
        let directory = NSTemporaryDirectory() + "healthrun-certs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory, String(validDays)]
        let errors = Pipe()
        process.standardError = errors
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        for await _ in exited {}
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw GenerationFailed(description: "make-test-certs.py failed: \(text)")
        }
        return TestCertificates(directory: directory)
    }

    private init(directory: String) {
        self.directory = directory
    }

    struct GenerationFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
