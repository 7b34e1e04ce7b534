import Foundation

/// A blocking TCP client on 127.0.0.1 for what HTTP clients will not do: drip a request a byte at
/// a time, send a body nobody reads, leave out `Host`, speak HTTP/1.0. Reads wait with `poll`,
/// bounded by a timeout.
final class RawSocket: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect: \(String(cString: strerror(code)))")
        }
    }

    deinit { close(fd) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends everything, or throws when the peer reset or closed.
    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// How the connection ended, if it did.
    enum End: Equatable {
        case open, closed, reset
    }

    /// Reads until the peer closes or resets, or `timeout` passes.
    func read(timeout: Duration) -> (text: String, end: End) {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = deadline - ContinuousClock.now
            let milliseconds = Int32(
                max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 {
                return (String(decoding: received, as: UTF8.self), .closed)
            } else {
                return (String(decoding: received, as: UTF8.self), errno == ECONNRESET ? .reset : .closed)
            }
        }
        return (String(decoding: received, as: UTF8.self), .open)
    }

    /// Reads until the end of an answer's head, within `timeout`; returns the status code (0 when
    /// none came).
    func readStatus(timeout: Duration) -> Int {
        let text = receive(timeout: timeout) { $0.contains("\r\n\r\n") }
        guard text.contains("\r\n\r\n") else { return 0 }
        return Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Reads one answer whose head says `Content-Length` (or until close), within `timeout`.
    func readAnswer(timeout: Duration) -> String {
        receive(timeout: timeout) { text in
            guard let headEnd = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<headEnd.lowerBound].lowercased()
            guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces))
            else { return false }
            return text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length
        }
    }

    /// Reads until `done` says the text so far is enough, the peer closes, or `timeout` passes.
    private func receive(timeout: Duration, until done: (String) -> Bool) -> String {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline, !done(String(decoding: received, as: UTF8.self)) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// This process's resident memory in bytes.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = Int(statm.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// glibc's `malloc_trim(0)` (not in Swift's Glibc module): returns the free memory the
/// allocator keeps to the system.
func trimMalloc() {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(nil, "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
}

/// Descriptors this process has open now.
func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
