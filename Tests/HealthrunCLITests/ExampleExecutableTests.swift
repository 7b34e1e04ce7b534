import Foundation
import HealthrunTesting
import Testing

/// `Examples/CustomHealthrun`: the SDK extension point, used as a user would.
@Suite struct ExampleExecutableTests {
    static var executable: String {
        BinaryRunner.executable.deletingLastPathComponent().appendingPathComponent("healthrun-example").path
    }

    @Test func addsACheckerTypeAndAReporter() async throws {
        let directory = try TemporaryDirectory(files: ["backup.dump": "data"])
        defer { directory.remove() }
        try directory.write(
            "checks.d/backup.yaml",
            "checks:\n  - name: backup\n    type: file_age\n    path: \(directory.path)/backup.dump\n    max_age: 1h\n    min_bytes: 2\n"
        )
        let output = try await BinaryRunner.run(["-q", "-r", "csv:-"], in: directory.path, executable: Self.executable)
        #expect(output.exitCode == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.first == "name,type,status,duration_ms,message")
        #expect(lines.last?.hasPrefix("backup,file_age,ok,") == true)
        let types = try await BinaryRunner.run(["types"], executable: Self.executable)
        #expect(types.stdout.contains("file_age"))
        #expect(types.stdout.contains("http"))
    }

    @Test func itsFieldErrorsAreLocatedLikeTheBuiltIns() async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/backup.yaml":
                "checks:\n  - name: backup\n    type: file_age\n    path: relative/backup.dump\n    max_age: 1 day\n"
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(["validate"], in: directory.path, executable: Self.executable)
        #expect(output.exitCode == 2)
        #expect(
            output.stderr == """
                checks.d/backup.yaml:5:14: error: invalid duration '1 day': unknown unit 'day'
                  hint: write a number with a unit: ms, s, m or h (for example 250ms, 3s, 1m30s)
                healthrun: 1 error in 1 file; nothing was run

                """
        )
    }
}
