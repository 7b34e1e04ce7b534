import Foundation
import HealthrunCore
import HealthrunTesting
import Logging
import Testing

@testable import HealthrunServe

/// Serve's runner and the one-shot engine decide alike: the same checks.d, with each check's
/// dependencies already judged, gives the same statuses and messages both ways.
@Suite struct EngineRulesTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var yaml: String
        /// Lines both must show (the rules themselves are EngineTests' subject).
        var shows: [String] = []
    }

    static let cases = [
        Case(
            description: "a failed dependency skips, and the skip cascades",
            yaml: """
                - {name: db, type: scripted, outcomes: ["fail: refused"]}
                - {name: api, type: scripted, depends_on: [db]}
                - {name: web, type: scripted, depends_on: [api]}
                - {name: cache, type: scripted}
                """,
            shows: [
                "api: skipped not run: dependency 'db' did not pass",
                "web: skipped not run: dependency 'api' did not pass",
            ]),
        Case(
            description: "a passed or warned dependency lets the check run",
            yaml: """
                - {name: db, type: scripted, outcomes: ["warn: slow"]}
                - {name: api, type: scripted, depends_on: [db], outcomes: ["fail: 500"]}
                """),
        Case(
            description: "failover: the primary carries the group",
            yaml: """
                - {name: primary, type: scripted, group: llm}
                - {name: fallback, type: scripted, group: llm}
                - {name: third, type: scripted, group: llm}
                """,
            shows: ["fallback: skipped not needed: primary ok", "third: skipped not needed: primary ok"]),
        Case(
            description: "failover: the second member carries the group",
            yaml: """
                - {name: primary, type: scripted, group: llm, outcomes: ["fail: 502"]}
                - {name: fallback, type: scripted, group: llm}
                - {name: third, type: scripted, group: llm}
                """),
        Case(
            description: "failover: every member fails",
            yaml: """
                - {name: primary, type: scripted, group: llm, outcomes: ["fail: 502"]}
                - {name: fallback, type: scripted, group: llm, outcomes: ["fail: 401"]}
                """),
        Case(
            description: "failover: a member whose dependency failed is skipped, the next one runs",
            yaml: """
                - {name: token, type: scripted, outcomes: ["fail: expired"]}
                - {name: primary, type: scripted, group: llm, outcomes: ["fail: 502"]}
                - {name: fallback, type: scripted, group: llm, depends_on: [token]}
                - {name: third, type: scripted, group: llm}
                """,
            shows: ["fallback: skipped not run: dependency 'token' did not pass", "third: ok ok"]),
        Case(
            description: "a dependency on a failover member that was not needed",
            yaml: """
                - {name: primary, type: scripted, group: llm}
                - {name: fallback, type: scripted, group: llm}
                - {name: report, type: scripted, depends_on: [fallback]}
                """),
    ]

    static func configuration(_ yaml: String) throws -> LoadedConfiguration {
        let groups = yaml.contains("group: llm") ? "groups:\n  - {name: llm, policy: failover}\n" : ""
        let text =
            groups + "checks:\n"
            + yaml.split(separator: "\n").map { "  " + $0 }
            .joined(separator: "\n") + "\n"
        let loader = ConfigLoader(registry: TestCheckers.registry, environment: [:])
        return try loader.load(sources: [ConfigSource(path: "checks.d/a.yaml", text: text)])
    }

    @Test(arguments: cases)
    func serveDecidesAsTheEngineDoes(_ testCase: Case) async throws {
        let engine = Engine(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let oneShot = await engine.run(try Self.configuration(testCase.yaml))
        let expected = oneShot.checks.map { "\($0.name): \($0.status) \($0.message)" }

        // A fresh configuration (scripted checkers count their calls), ticked in file order as
        // serve's scheduler would: each tick sees the results recorded before it.
        let configuration = try Self.configuration(testCase.yaml)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("healthrun-rules-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runtime = try ServeRuntime(
            configuration: configuration,
            store: try ResultStore(path: directory.appendingPathComponent("h.sqlite").path),
            engine: engine, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let chained = configuration.chainedMembers
        for check in configuration.checks where !chained.contains(check.name) {
            await runtime.runner.tick(check.name)
        }
        let served = configuration.checks.map { check in
            runtime.state.latest(check.name).map { "\($0.name): \($0.status) \($0.message)" } ?? "\(check.name): none"
        }
        #expect(served == expected)
        for line in testCase.shows { #expect(served.contains(line), "\(served)") }
    }
}
