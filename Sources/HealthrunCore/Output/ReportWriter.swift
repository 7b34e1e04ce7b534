import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes rendered reports to the paths a user names.
///
/// - `-` is stdout.
/// - A new path or an existing regular file is written atomically: a temporary file in the same
///   directory, then `rename`, so a reader never sees half a file. Missing parent directories
///   are created first, like `mkdir -p`.
/// - A path that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO, a
///   character device) is opened and written in place. Renaming over it would replace the
///   device with a plain file: as root, `-r json:/dev/null` would break every program on the
///   machine that writes to `/dev/null` afterwards.
/// - A symbolic link is followed to its target, never replaced.
public enum ReportWriter {
    /// Why a report could not be written, naming the path.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The path.
        public var path: String
        /// What went wrong.
        public var reason: String

        public var description: String { "cannot write report '\(path)': \(reason)" }
    }

    /// How long writing to a FIFO waits for a reader to open it.
    public static let fifoReaderWait = Duration.seconds(10)

    /// Writes `bytes` to `path` (`-` is stdout).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        if path == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            // Follow the link to what it names; a dangling link is written through (open creates
            // the target).
            guard let resolved = realpath(path, nil) else {
                try writeInPlace(bytes, to: path, create: true)
                return
            }
            target = String(cString: resolved)
            free(resolved)
        }
        if stat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw Failure(path: path, reason: "it is a directory")
            default:
                try writeInPlace(bytes, to: target, create: false)
                return
            }
        }
        try writeAtomically(bytes, to: target, reportedAs: path)
    }

    /// Appends `bytes` to `path`, creating it (for files others also write, like
    /// `$GITHUB_STEP_SUMMARY`).
    public static func append(_ bytes: [UInt8], to path: String) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: path, reason: describe(errno, path: path)) }
        defer { close(descriptor) }
        if let code = writeAll(bytes, to: descriptor) { throw Failure(path: path, reason: describe(code, path: path)) }
    }

    /// Creates `directory` and its missing parents (`mkdir -p`).
    static func makeDirectories(_ directory: String) throws(Failure) {
        guard !directory.isEmpty else { return }
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw Failure(path: directory, reason: "'\(directory)' exists and is not a directory")
            }
            return
        }
        try makeDirectories(parent(of: directory))
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            let code = errno
            throw Failure(path: directory, reason: "cannot create directory '\(directory)': \(describe(code))")
        }
    }

    private static func writeAtomically(_ bytes: [UInt8], to path: String, reportedAs shown: String) throws(Failure) {
        let directory = parent(of: path)
        do {
            try makeDirectories(directory)
        } catch {
            throw Failure(path: shown, reason: error.reason)
        }
        let temporary =
            (directory.isEmpty ? "" : directory + "/") + ".\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw Failure(path: shown, reason: describe(errno, path: directory)) }
        let result = writeAll(bytes, to: descriptor)
        let closed = close(descriptor) == 0 ? nil : errno
        if let code = result ?? closed {
            unlink(temporary)
            throw Failure(path: shown, reason: describe(code, path: directory))
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw Failure(path: shown, reason: describe(code, path: path))
        }
    }

    /// Opens what is at `path` and writes into it (devices, FIFOs, a dangling link's target).
    private static func writeInPlace(_ bytes: [UInt8], to path: String, create: Bool) throws(Failure) {
        let flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (create ? O_CREAT | O_TRUNC : 0)
        var descriptor = open(path, flags, 0o644)
        // A FIFO with no reader yet refuses a nonblocking open with ENXIO: wait for one, bounded.
        let giveUp = ContinuousClock.now.advanced(by: fifoReaderWait)
        while descriptor < 0, errno == ENXIO || errno == EINTR, ContinuousClock.now < giveUp {
            usleep(10_000)
            descriptor = open(path, flags, 0o644)
        }
        guard descriptor >= 0 else {
            let code = errno
            let reason =
                code == ENXIO
                ? "no process opened the FIFO for reading within \(DurationParser.format(fifoReaderWait))"
                : describe(code, path: path)
            throw Failure(path: path, reason: reason)
        }
        defer { close(descriptor) }
        // Blocking writes from here on: a reader of a FIFO takes the report at its own pace.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        if let code = writeAll(bytes, to: descriptor) { throw Failure(path: path, reason: describe(code, path: path)) }
    }

    /// Writes every byte; returns errno on failure.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return nil
    }

    private static func parent(of path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }

    private static func describe(_ code: Int32, path: String = "") -> String {
        switch code {
        case ENOENT: return "no such file or directory: '\(path.isEmpty ? "." : path)'"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a directory"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "read-only file system"
        default: return String(cString: strerror(code))
        }
    }
}
