import AsyncHTTPClient
import Foundation
import HealthrunCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Turns transport errors into one sentence a person can act on.
enum NetworkErrors {
    /// `connection refused to 127.0.0.1:5432`, `TLS: certificate not trusted`, ….
    static func describe(_ error: any Error, host: String, port: Int) -> String {
        let target = "\(host):\(port)"
        if let code = errnoCode(error) {
            switch code {
            case ECONNREFUSED: return "connection refused to \(target)"
            case ECONNRESET: return "connection reset by \(target)"
            case EPIPE: return "connection closed by \(target) while sending"
            case ENETUNREACH, EHOSTUNREACH: return "no route to \(target)"
            case ETIMEDOUT: return "connection to \(target) timed out"
            default: return "network error with \(target): \(String(cString: strerror(code)))"
            }
        }
        if let clientError = error as? HTTPClientError {
            let known: [(HTTPClientError, String)] = [
                (.remoteConnectionClosed, "connection closed by \(target) before a complete response"),
                (.connectTimeout, "no answer from \(target) while connecting"),
                (.readTimeout, "no answer from \(target) in time"),
                (.deadlineExceeded, "no answer from \(target) in time"),
                (.cancelled, "request cancelled"),
                (.invalidURL, "invalid URL"),
                (.emptyHost, "invalid URL: no host"),
                (.bodyLengthMismatch, "response body does not match its Content-Length"),
            ]
            if let match = known.first(where: { $0.0 == clientError }) { return match.1 }
            return "HTTP error with \(target): \(clientError.shortDescription)"
        }
        if let sslError = error as? NIOSSLError {
            let text = String(describing: sslError)
            if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
                return "TLS: certificate not trusted (\(target))"
            }
            if case .uncleanShutdown = sslError { return "TLS: connection closed uncleanly by \(target)" }
            return "TLS handshake with \(target) failed: \(text)"
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "TLS: certificate is not valid for host '\(host)'"
        }
        if let connectionError = error as? NIOConnectionError {
            if let first = connectionError.connectionErrors.first {
                return describe(first.error, host: host, port: port)
            }
            if let dns = connectionError.dnsAAAAError ?? connectionError.dnsAError {
                // The resolver's own words, never the error type's name ("SocketAddressError…").
                let text = String(describing: dns)
                let reason =
                    text.contains("Temporary failure")
                    ? " (temporary DNS failure; try again)"
                    : text.contains("No address associated") ? " (the name has no address)" : ""
                return "cannot resolve host '\(host)'\(reason)"
            }
            return "cannot connect to \(target)"
        }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return "no answer from \(target) while connecting"
            case .eof, .alreadyClosed, .ioOnClosedChannel: return "connection closed by \(target)"
            default: return "network error with \(target): \(channelError)"
            }
        }
        if let parserError = error as? HTTPParserError {
            if parserError == .invalidEOFState { return "connection closed by \(target) before a complete response" }
            return "malformed HTTP response from \(target): \(parserError)"
        }
        if error is NIOTooManyBytesError { return "response larger than allowed" }
        let text = String(describing: error)
        if text.contains("Connection refused") { return "connection refused to \(target)" }
        if text.contains("Connection reset") { return "connection reset by \(target)" }
        if text.lowercased().contains("name or service not known") || text.contains("getaddrinfo") {
            return "cannot resolve host '\(host)'"
        }
        return "network error with \(target): \(text)"
    }

    private static func errnoCode(_ error: any Error) -> Int32? {
        if let ioError = error as? IOError { return ioError.errnoCode }
        return nil
    }
}

/// Escapes text from a server for one-line messages: control characters shown as `\n`,
/// `\u{1B}`, …, and cut to `limit` characters.
enum Snippet {
    static func of(_ bytes: some Collection<UInt8>, limit: Int = 120) -> String {
        // Redact before cutting: a secret cut in half would no longer be recognised.
        let window = String(decoding: bytes.prefix(limit * 4 + 4096), as: UTF8.self)
        let text = Redactor.redactCurrent(window)
        var result = ""
        for character in text {
            if result.count >= limit {
                result += "…"
                break
            }
            for scalar in character.unicodeScalars {
                switch scalar {
                case "\n": result += "\\n"
                case "\r": result += "\\r"
                case "\t": result += "\\t"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                        result += "\\u{\(String(scalar.value, radix: 16))}"
                    } else {
                        result.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        return result
    }
}
