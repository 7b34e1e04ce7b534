import Foundation
import Testing

@testable import HealthrunCore

@Suite struct FileTrustTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "healthrun-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }

    @Test func ownFilesInAPrivateDirectoryAreTrusted() throws {
        let directory = try Self.directory()
        #expect(FileManager.default.createFile(atPath: directory + "/app.yaml", contents: Data("checks: []\n".utf8)))
        chmod(directory + "/app.yaml", 0o644)
        #expect(FileTrust.problems([directory + "/app.yaml"], role: "a checks.d file").isEmpty)
    }

    @Test func groupOrOtherWritableFilesAndDirectoriesAreNot() throws {
        let directory = try Self.directory()
        let file = directory + "/app.yaml"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        chmod(file, 0o664)
        #expect(
            FileTrust.problems([file], role: "a checks.d file") == [
                "\(file): a checks.d file is writable by its group (mode 664); another user could change what "
                    + "healthrun runs as \(String(cString: getpwuid(geteuid())!.pointee.pw_name)). Fix: chmod go-w '\(file)', "
                    + "or pass --allow-insecure-files"
            ])
        chmod(file, 0o644)
        chmod(directory, 0o777)
        #expect(
            FileTrust.problems([file], role: "a plugin").first?.hasPrefix("\(directory): the directory of a plugin")
                == true)
        // A sticky directory (like /tmp): others cannot replace a file they do not own.
        chmod(directory, 0o1777)
        #expect(FileTrust.problems([file], role: "a plugin").isEmpty)
    }
}
