import Foundation
import HealthrunTesting
import Testing

/// `healthrun merge`: the JSON reports of real runs on two shards joined into one report.
@Suite(.serialized) struct MergeTests {
    /// Two shards: `eu` passes (a web check in an `any` group), `us` has a critical check
    /// against a refused port. Returns the directory holding `eu.json` and `us.json`.
    static func twoShards() async throws -> (TemporaryDirectory, LoopbackHTTPServer) {
        let server = try await LoopbackHTTPServer { _ in .text(200, "ok") }
        let port = try await refusedPort()
        let directory = try TemporaryDirectory(files: [
            "eu/a.yaml": """
            groups: [{name: edge, policy: any}]
            checks:
              - {name: web, type: http, url: "\(server.baseURL)/", group: edge}
            """,
            "us/a.yaml": "checks:\n  - {name: db, type: tcp, host: 127.0.0.1, port: \(port)}\n",
        ])
        let eu = try await BinaryRunner.run(["-q", "-d", "eu", "-r", "json:eu.json"], in: directory.path)
        #expect(eu.exitCode == 0, "\(eu.stderr)")
        let us = try await BinaryRunner.run(["-q", "-d", "us", "-r", "json:us.json"], in: directory.path)
        #expect(us.exitCode == 1, "\(us.stderr)")
        return (directory, server)
    }

    @Test func mergesShardsIntoOneReportAndOneExitCode() async throws {
        let (directory, server) = try await Self.twoShards()
        defer {
            directory.remove()
            Task { await server.close() }
        }
        let merged = try await BinaryRunner.run(
            ["merge", "eu.json", "us.json", "--no-color", "-r", "json:all.json", "-r", "junit:all.xml"],
            in: directory.path)
        #expect(merged.exitCode == 1, "a critical failure in any shard fails the merged run")
        #expect(merged.stdout.contains("FAILED — 1 critical check failed: db"), "\(merged.stdout)")
        #expect(merged.stdout.contains("group edge (any): OK — carried by web"), "\(merged.stdout)")
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/all.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["status"] as? String == "fail")
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(
            summary.filter { $0.key != "groups" } as? [String: Int] == [
                "total": 2, "ok": 1, "warn": 0, "fail": 1, "skipped": 0,
            ])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["web", "db"])
        #expect(checks[1]["source"] as? String == "us/a.yaml:2")
        let junit = try String(contentsOfFile: directory.path + "/all.xml", encoding: .utf8)
        #expect(junit.contains(#"tests="2""#) && junit.contains(#"failures="1""#), "\(junit)")

        // Only the passing shard: exit 0.
        let passing = try await BinaryRunner.run(["merge", "-q", "eu.json"], in: directory.path)
        #expect(passing.exitCode == 0, "\(passing.stderr)")
    }

    @Test func repeatedNamesAreAnErrorUnlessPrefixed() async throws {
        let (directory, server) = try await Self.twoShards()
        defer {
            directory.remove()
            Task { await server.close() }
        }
        try FileManager.default.copyItem(atPath: directory.path + "/eu.json", toPath: directory.path + "/eu-2.json")
        let clash = try await BinaryRunner.run(["merge", "eu.json", "eu-2.json"], in: directory.path)
        #expect(clash.exitCode == 2)
        #expect(
            clash.stderr.contains(
                "eu-2.json: check 'web' is also in eu.json; give each shard's checks their own names, or pass --prefix"),
            "\(clash.stderr)")
        #expect(clash.stdout.isEmpty, "nothing is reported when the inputs are wrong")

        let prefixed = try await BinaryRunner.run(
            ["merge", "--prefix", "eu.json", "eu-2.json", "-q", "-r", "json:-"], in: directory.path)
        #expect(prefixed.exitCode == 0, "\(prefixed.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(prefixed.stdout.utf8)) as? [String: Any])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["eu/web", "eu-2/web"])
        #expect(checks.map { $0["group"] as? String } == ["eu/edge", "eu-2/edge"])
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.map { $0["members"] as? [String] } == [["eu/web"], ["eu-2/web"]])
    }

    @Test func inputsThatAreNotReportsExit2AndNameTheFile() async throws {
        let directory = try TemporaryDirectory(files: ["broken.json": "{\"schema_version\": 1", "old.json": "{}"])
        defer { directory.remove() }
        for (file, message) in [
            ("broken.json", "broken.json: not a healthrun JSON report: invalid JSON"),
            ("old.json", "old.json: not a healthrun JSON report: schema_version is missing"),
            ("absent.json", "absent.json: cannot read file: no such file or directory"),
        ] {
            let output = try await BinaryRunner.run(["merge", file], in: directory.path)
            #expect(output.exitCode == 2, "\(file)")
            #expect(output.stderr.contains(message), "\(output.stderr)")
        }
        let none = try await BinaryRunner.run(["merge"], in: directory.path)
        #expect(none.exitCode == 2)
    }
}
