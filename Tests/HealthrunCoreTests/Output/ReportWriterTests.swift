import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs blocking work on a thread of its own, off the cooperative pool the other tests share.
private func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) -> Task<T, any Error> {
    let result = AsyncThrowingStream<T, any Error> { continuation in
        Thread {
            do {
                continuation.yield(try work())
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }.start()
    }
    return Task {
        for try await value in result { return value }
        throw CancellationError()
    }
}

/// Report paths are the user's: devices, FIFOs and links stay what they are.
@Suite struct ReportWriterTests {
    private func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aFIFOIsWrittenInPlaceAndStaysAFIFO() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.path + "/report.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader on a thread of its own, as `cat fifo` would be (the open blocks until a
        // writer comes).
        let received = onThread { () throws -> Data in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: fifo))
            defer { try? handle.close() }
            return try handle.readToEnd() ?? Data()
        }
        let bytes = Array(#"{"schema_version": 1}"#.utf8)
        try await onThread { try ReportWriter.write(bytes, to: fifo) }.value
        #expect(Array(try await received.value) == bytes)
        #expect(fileType(fifo) == S_IFIFO, "the FIFO was replaced")
    }

    @Test func aFIFOWithoutReaderIsAnErrorNotAHang() async throws {
        // The wait for a reader is bounded; the error names the FIFO.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.path + "/nobody.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let start = ContinuousClock.now
        await #expect(throws: ReportWriter.Failure.self) {
            try await onThread { try ReportWriter.write([1], to: fifo) }.value
        }
        #expect(start.duration(to: .now) < .seconds(13))
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func aCharacterDeviceIsWrittenInPlaceAndStaysADevice() throws {
        // The same node as /dev/null (major 1, minor 3), made in a temporary directory.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let node = directory.path + "/null"
        let nullDevice = dev_t((1 << 8) | 3)  // makedev(1, 3) in glibc's encoding
        #expect(mknod(node, S_IFCHR | 0o666, nullDevice) == 0)
        try ReportWriter.write(Array("report".utf8), to: node)
        #expect(fileType(node) == S_IFCHR, "the device node was replaced by a regular file")
    }

    @Test func devNullStaysADevice() throws {
        try ReportWriter.write(Array("report".utf8), to: "/dev/null")
        #expect(fileType("/dev/null") == S_IFCHR)
    }

    @Test func aSymbolicLinkIsFollowedNotReplaced() throws {
        let directory = try TemporaryDirectory(files: ["real/report.json": "old"])
        defer { directory.remove() }
        let link = directory.path + "/report.json"
        #expect(symlink(directory.path + "/real/report.json", link) == 0)
        try ReportWriter.write(Array("new".utf8), to: link)
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: directory.path + "/real/report.json", encoding: .utf8) == "new")
    }

    @Test func missingParentDirectoriesAreCreated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/reports/ci/junit.xml"
        try ReportWriter.write(Array("<testsuites/>".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "<testsuites/>")
        #expect(fileType(path) == S_IFREG)
    }

    @Test func aRegularFileIsReplacedWhole() throws {
        let directory = try TemporaryDirectory(files: ["r.json": String(repeating: "x", count: 1000)])
        defer { directory.remove() }
        try ReportWriter.write(Array("{}".utf8), to: directory.path + "/r.json")
        #expect(try String(contentsOfFile: directory.path + "/r.json", encoding: .utf8) == "{}")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["r.json"], "no temporary file is left behind")
    }

    @Test func aPathUnderAFileNamesTheProblem() throws {
        let directory = try TemporaryDirectory(files: ["file": "x"])
        defer { directory.remove() }
        let error = #expect(throws: ReportWriter.Failure.self) {
            try ReportWriter.write([1], to: directory.path + "/file/report.json")
        }
        #expect(error?.description.contains("exists and is not a directory") == true, "\(String(describing: error))")
    }
}
