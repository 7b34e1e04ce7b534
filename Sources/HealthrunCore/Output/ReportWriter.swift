import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes rendered reports: to stdout for `-`, otherwise atomically (a temporary file in the
/// same directory, then `rename`), so a reader never sees half a file.
public enum ReportWriter {
    /// Why a report could not be written, naming the path.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The path.
        public var path: String
        /// What went wrong.
        public var reason: String

        public var description: String { "cannot write report '\(path)': \(reason)" }
    }

    /// Writes `bytes` to `path` (`-` is stdout).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        if path == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary =
            (directory.isEmpty ? "" : directory + "/") + ".\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: path, reason: describe(errno, directory: directory)) }
        var written = 0
        let result: Int32 = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += count
            }
            return 0
        }
        close(descriptor)
        if result != 0 {
            unlink(temporary)
            throw Failure(path: path, reason: describe(result, directory: directory))
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw Failure(path: path, reason: describe(code, directory: directory))
        }
    }

    /// Appends `bytes` to `path`, creating it (for files others also write, like
    /// `$GITHUB_STEP_SUMMARY`).
    public static func append(_ bytes: [UInt8], to path: String) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: path, reason: describe(errno, directory: directory)) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: describe(errno, directory: directory))
            }
            written += count
        }
    }

    private static func describe(_ code: Int32, directory: String) -> String {
        switch code {
        case ENOENT: return "directory '\(directory.isEmpty ? "." : directory)' does not exist"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a directory"
        default: return String(cString: strerror(code))
        }
    }
}
