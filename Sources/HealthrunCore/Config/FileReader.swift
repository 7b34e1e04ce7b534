#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads configuration files with plain POSIX calls: any readable file (pipes and `/dev/null`
/// included), at most ``limit`` bytes, errors in `strerror` words.
enum FileReader {
    /// Larger configuration files are refused rather than read whole.
    static let limit = 16 << 20

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws(Failure) -> [UInt8] {
        // Non-blocking, so a FIFO without a writer cannot hang the load; then only regular files
        // and character devices (/dev/null) are read.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw Failure(description: String(cString: strerror(errno)).lowercased()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw Failure(description: String(cString: strerror(errno)).lowercased())
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFCHR else {
            throw Failure(description: "not a regular file (a pipe, socket or device)")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: String(cString: strerror(errno)).lowercased())
            }
            bytes += chunk[..<count]
            if bytes.count > limit {
                throw Failure(description: "file is larger than \(limit >> 20) MiB")
            }
        }
    }
}
