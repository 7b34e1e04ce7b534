import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

/// A history file that is damaged, empty, not a database or newer is refused with what to do,
/// and left as it was; a store that stops taking writes while serve runs is reported, and
/// checking and alerting go on.
@Suite(.serialized) struct StoreFaultTests {
    /// A history of a few hours, closed (the last connection's close moves the WAL into the file).
    static func history() async throws -> String {
        let path = ResultStoreTests.temporaryPath()
        func write() async throws {
            let store = try ResultStore(path: path)
            var batch = WriteBatch()
            batch.results = ResultStoreTests.results(hours: 6, start: 1_764_000_000_000)
            try await store.write(batch)
        }
        try await write()
        return path
    }

    static func refusal(_ path: String) -> String? {
        do {
            _ = try ResultStore(path: path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func anEmptyFileIsRefusedNotStartedFresh() throws {
        // Before: a 0-byte file started a new history without a word.
        let path = ResultStoreTests.temporaryPath()
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let refusal = try #require(Self.refusal(path))
        #expect(refusal.contains("is empty (0 bytes)") && refusal.contains("restore it from a backup"), "\(refusal)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty, "left as it was")
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let path = ResultStoreTests.temporaryPath()
        let bytes = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let refusal = try #require(Self.refusal(path))
        #expect(refusal.contains("cannot be read: the file is not a SQLite database"), "\(refusal)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func randomBytesInTheMiddleAreFoundAtStart() async throws {
        // Before: serve started, 171 of 1,000 check pages answered an empty 500, nothing logged.
        let path = try await Self.history()
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        var generator = SystemRandomNumberGenerator()
        handle.write(Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        try handle.close()
        let damaged = try Data(contentsOf: URL(fileURLWithPath: path))
        let refusal = try #require(Self.refusal(path))
        #expect(refusal.contains("is damaged") || refusal.contains("cannot be read"), "\(refusal)")
        #expect(refusal.contains("sqlite3") || refusal.contains("restore it from a backup"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == damaged, "left as it was")
    }

    @Test func aSchemaFromANewerHealthrunIsRefused() async throws {
        let path = try await Self.history()
        try ResultStore.createLegacy(
            path: path, upTo: "v5 packed metric history",
            then: "INSERT INTO grdb_migrations (identifier) VALUES ('v9 something newer')")
        let refusal = try #require(Self.refusal(path))
        #expect(refusal.contains("written by a newer healthrun (schema v9 something newer)"), "\(refusal)")
    }

    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs"))
    func aFullDiskKeepsCheckingAndAlertingAndIsReportedUntilSpaceReturns() async throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("healthrun-full-\(UUID())").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        #expect(try Shell.run("mount -t tmpfs -o size=2m tmpfs '\(mount)'") == 0)
        defer { _ = try? Shell.run("umount -l '\(mount)'") }

        let hook = try await LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { Task { await hook.close() } }
        let policy = AlertPolicy(after: 1, resolveAfter: 1)
        let (db, _) = ServeHarness.check("db", [.ok("select 1")])
        let (flaky, _) = ServeHarness.check(
            "payments", Array(repeating: CheckOutcome.ok("fine"), count: 40) + [.fail("HTTP 503")], alert: policy)
        let configuration = LoadedConfiguration(
            checks: [db, flaky], alerting: AlertingConfiguration(webhook: .init(url: hook.baseURL + "/hook")))
        let harness = try await ServeHarness(configuration: configuration, dbPath: mount + "/history.sqlite")
        defer { Task { await harness.stop() } }
        try await harness.waitUntil("ready") { try await harness.get("/readyz").status == 200 }

        // Fill the file system.
        let filler = FileManager.default.createFile(atPath: mount + "/filler", contents: nil)
        #expect(filler)
        let handle = try #require(FileHandle(forWritingAtPath: mount + "/filler"))
        let block = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()

        try await harness.waitUntil("readyz says the store fails") {
            try await harness.get("/readyz").status == 503
        }
        let readyz = try await harness.get("/readyz").body
        #expect(readyz.contains("history cannot be written: the disk is full"), "\(readyz)")
        let metrics = try PrometheusText.parse(try await harness.get("/metrics").body)
        #expect(metrics["healthrun_serve_store_up"] == 0)
        #expect((metrics["healthrun_serve_store_write_errors_total"] ?? 0) >= 1)
        // Checking and alerting go on: the check that fails now is announced.
        try await harness.waitUntil("the DOWN while the disk is full", limit: .seconds(10)) {
            !hook.requests.isEmpty
        }
        #expect(harness.runtime.state.latest("payments")?.status == .fail)

        try FileManager.default.removeItem(atPath: mount + "/filler")
        try await harness.waitUntil("writes resume") { try await harness.get("/readyz").status == 200 }
        let after = try PrometheusText.parse(try await harness.get("/metrics").body)
        #expect(after["healthrun_serve_store_up"] == 1)
    }
}

/// `sh -c` for the few tests that need the system (mounts).
enum Shell {
    static func run(_ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
