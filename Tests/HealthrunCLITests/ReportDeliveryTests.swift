import Foundation
import HealthrunTesting
import Testing

/// A gate whose artifacts are missing must not pass: every requested report is written, or the
/// run exits 2 naming what was not.
@Suite struct ReportDeliveryTests {
    private static func passingChecks() async throws -> (LoopbackHTTPServer, TemporaryDirectory) {
        let server = try await LoopbackHTTPServer { _ in .json(200, #"{"status":"ok"}"#) }
        let directory = try TemporaryDirectory(files: [
            "checks.d/app.yaml": "checks:\n  - name: app\n    type: http\n    url: \(server.baseURL)/health\n",
            "not-a-directory": "x",
        ])
        return (server, directory)
    }

    @Test func theQuickStartWritesIntoAMissingDirectory() async throws {
        // The README's quick start on a fresh checkout: reports/ does not exist yet.
        let (server, directory) = try await Self.passingChecks()
        defer { directory.remove() }
        _ = server
        let output = try await BinaryRunner.run(
            ["--report", "json", "--report", "junit:reports/junit.xml"], in: directory.path)
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/reports/junit.xml"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/healthrun-report.json"))
        #expect(output.stderr.contains("wrote reports/junit.xml (junit)"), "\(output.stderr)")
        #expect(output.stderr.contains("wrote healthrun-report.json (json)"), "\(output.stderr)")
    }

    @Test(arguments: [[String](), ["-q"]])
    func aReportThatCannotBeWrittenExits2AndTheOthersAreWritten(extra: [String]) async throws {
        let (server, directory) = try await Self.passingChecks()
        defer { directory.remove() }
        _ = server
        let output = try await BinaryRunner.run(
            extra + ["-r", "json:out.json", "-r", "html:not-a-directory/y.html"], in: directory.path)
        #expect(output.exitCode == 2, "a passing run with a missing report exits 2: \(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/out.json"))
        #expect(output.stderr.contains("not-a-directory/y.html"), "\(output.stderr)")
        #expect(output.stderr.contains("1 report could not be written"), "\(output.stderr)")
        #expect(output.stderr.contains("wrote ") == extra.isEmpty, "-q says nothing of what it wrote")
    }

    @Test func aDirectoryGetsTheFormatsDefaultFileName() async throws {
        let (server, directory) = try await Self.passingChecks()
        defer { directory.remove() }
        _ = server
        try FileManager.default.createDirectory(atPath: directory.path + "/out", withIntermediateDirectories: true)
        let output = try await BinaryRunner.run(
            ["-q", "-r", "junit:out", "-r", "json:new/"], in: directory.path)
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/out/healthrun-junit.xml"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/new/healthrun-report.json"))
    }

    @Test func devNullStaysADeviceAfterEveryFormat() async throws {
        let (server, directory) = try await Self.passingChecks()
        defer { directory.remove() }
        _ = server
        let formats = ["json", "html", "junit", "prometheus", "markdown"]
        let output = try await BinaryRunner.run(
            ["-q"] + formats.flatMap { ["-r", "\($0):/dev/null"] }, in: directory.path)
        #expect(output.exitCode == 0, "\(output.stderr)")
        var info = stat()
        #expect(lstat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test func mergeExits2WhenItsReportCannotBeWritten() async throws {
        let (server, directory) = try await Self.passingChecks()
        defer { directory.remove() }
        _ = server
        let run = try await BinaryRunner.run(["-q", "-r", "json:a.json"], in: directory.path)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let merged = try await BinaryRunner.run(
            ["merge", "a.json", "-q", "-r", "json:m.json", "-r", "junit:not-a-directory/j.xml"], in: directory.path)
        #expect(merged.exitCode == 2, "\(merged.stderr)")
        #expect(merged.stderr.contains("not-a-directory/j.xml"), "\(merged.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/m.json"))
    }
}
