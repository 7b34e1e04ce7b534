import Foundation
import HealthrunCore
import HealthrunPostgres
import HealthrunTesting
import Testing

/// The server `scripts/postgres.sh` started, from its environment variables.
enum TestServer {
    static let environment = ProcessInfo.processInfo.environment
    static var host: String { environment["HEALTHRUN_TEST_PG_HOST"] ?? "" }
    static var port: String { environment["HEALTHRUN_TEST_PG_PORT"] ?? "" }
    static var user: String { environment["HEALTHRUN_TEST_PG_USER"] ?? "" }
    static var password: String { environment["HEALTHRUN_TEST_PG_PASSWORD"] ?? "" }
    static var isConfigured: Bool { !port.isEmpty && !password.isEmpty }

    static func run(_ fields: String, timeout: String = "3s", extraEnvironment: [String: String] = [:]) async throws
        -> (CheckResult, Duration, String)
    {
        var registry = CheckerRegistry()
        registry.registerPostgres()
        let yaml =
            "checks:\n  - name: db\n    type: postgres\n    timeout: \(timeout)\n"
            + fields.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        let environment = ["PG_PASSWORD": password, "PG_PORT": port, "PG_USER": user].merging(extraEnvironment) { $1 }
        let configuration = try ConfigLoader(registry: registry, environment: environment)
            .load(sources: [ConfigSource(path: "db.yaml", text: yaml)])
        let start = ContinuousClock.now
        let report = await Engine().run(configuration)
        let result = report.checks[0]
        let everything = result.message + "\(result.details)"
        return (result, start.duration(to: .now), everything)
    }
}

@Suite struct PostgresServerTests {
    /// Skipped, not passed, outside CI: it proves something only where a server must exist.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] != nil, "only CI must have a server"))
    func aServerIsConfiguredInCI() {
        #expect(TestServer.isConfigured, "CI must start PostgreSQL: run the tests with scripts/test.sh")
    }
}

@Suite(.enabled(if: TestServer.isConfigured, "needs the PostgreSQL that scripts/test.sh starts"))
struct PostgresCheckerTests {
    @Test func connectsAndReportsVersionAndLatency() async throws {
        let (result, _, everything) = try await TestServer.run(
            "host: 127.0.0.1\nport: ${PG_PORT}\nuser: ${PG_USER}\npassword: ${PG_PASSWORD}\ndatabase: postgres"
        )
        #expect(result.status == .ok, "\(result.message)")
        #expect(result.message.hasPrefix("PostgreSQL 1"))
        #expect(result.message.contains(", SELECT 1 in "))
        #expect(!everything.contains(TestServer.password))
    }

    @Test func dsnWithThePasswordInside() async throws {
        let (result, _, everything) = try await TestServer.run(
            "dsn: postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres?sslmode=disable\nquery: SELECT current_user\nexpect: {value: healthrun}\nread_write: true"
        )
        #expect(result.status == .ok, "\(result.message)")
        #expect(result.details["value"] == .string("healthrun"))
        #expect(!everything.contains(TestServer.password))
    }

    @Test func aKeywordDSNWithAPlainPasswordIsStillMasked() async throws {
        let password = TestServer.password
        let (result, _, everything) = try await TestServer.run(
            "dsn: \"host=127.0.0.1 port=${PG_PORT} user=${PG_USER} password=\(password) dbname=nope\""
        )
        #expect(result.status == .fail)
        #expect(!everything.contains(password))
    }

    @Test(arguments: [
        (
            "password: wrong-password-canary",
            "authentication failed for user 'healthrun' at 127.0.0.1:PORT (wrong password?)"
        ),
        ("password: ${PG_PASSWORD}\ndatabase: nope", "database 'nope' does not exist at 127.0.0.1:PORT"),
        (
            "password: ${PG_PASSWORD}\ndatabase: postgres\nquery: SELECT * FROM missing_table",
            "query failed: relation \"missing_table\" does not exist"
        ),
        (
            "password: ${PG_PASSWORD}\ndatabase: postgres\nquery: SELECT 'x'\nexpect: {value: y}",
            "expected \"y\", got \"x\""
        ),
        (
            "password: ${PG_PASSWORD}\nsslmode: require",
            "TLS required (sslmode) but the server at 127.0.0.1:PORT does not support it"
        ),
    ])
    func failuresSayWhatHappened(fields: String, message: String) async throws {
        let (result, _, everything) = try await TestServer.run(
            "host: 127.0.0.1\nport: ${PG_PORT}\nuser: ${PG_USER}\n" + fields)
        #expect(result.status == .fail)
        #expect(
            result.message.contains(message.replacingOccurrences(of: "PORT", with: TestServer.port)),
            "\(result.message)")
        #expect(!everything.contains(TestServer.password))
    }

    @Test func aStandbyFailsReadWriteButAnswersReads() async throws {
        let standby = ProcessInfo.processInfo.environment["HEALTHRUN_TEST_PG_STANDBY_PORT"] ?? ""
        try #require(!standby.isEmpty, "scripts/postgres.sh starts a standby")
        let fields = "host: 127.0.0.1\nport: \(standby)\nuser: ${PG_USER}\npassword: ${PG_PASSWORD}\ndatabase: postgres"
        let (reads, _, _) = try await TestServer.run(fields)
        #expect(reads.status == .ok, "\(reads.message)")
        let (writes, _, everything) = try await TestServer.run(fields + "\nread_write: true")
        #expect(writes.status == .fail)
        #expect(writes.message == "server is a read-only standby (pg_is_in_recovery() is true), read_write required")
        #expect(writes.details["in_recovery"] == .bool(true))
        #expect(!everything.contains(TestServer.password))
    }

    @Test func numericColumnsOfTheQueryBecomeMetricsAndThresholdsJudgeThem() async throws {
        let base = "host: 127.0.0.1\nport: ${PG_PORT}\nuser: ${PG_USER}\npassword: ${PG_PASSWORD}\ndatabase: postgres"
        let (first, _, _) = try await TestServer.run(
            base
                + "\nquery: \"SELECT 120 AS tokens_in_today, 3.5::numeric AS \\\"Cost USD\\\", 'sonnet' AS model, NULL::int AS nothing\""
                + "\nmetrics: columns\nthresholds: [{metric: tokens_in_today, warn_above: 100}]")
        #expect(first.status == .warn, "\(first.message)")
        #expect(first.message.hasSuffix("; tokens_in_today 120 > 100"), "\(first.message)")
        #expect(
            Array(first.metrics.prefix(2)) == [Metric("tokens_in_today", 120, breach: .warn), Metric("cost_usd", 3.5)])
        #expect(first.metrics.dropFirst(2).map(\.name) == ["connect_ms", "query_ms"])

        let (rows, _, _) = try await TestServer.run(
            base + "\nquery: \"SELECT * FROM (VALUES ('sonnet', 10), ('opus', 20)) AS t(label, tokens)\""
                + "\nexpect: {metrics: true}")
        #expect(rows.status == .ok, "\(rows.message)")
        #expect(
            Array(rows.metrics.prefix(2)) == [
                Metric("tokens", 10, labels: ["label": "sonnet"]), Metric("tokens", 20, labels: ["label": "opus"]),
            ])
    }

    @Test func aStandbyReportsHowFarBehindItReplays() async throws {
        let standby = ProcessInfo.processInfo.environment["HEALTHRUN_TEST_PG_STANDBY_PORT"] ?? ""
        try #require(!standby.isEmpty, "scripts/postgres.sh starts a standby")
        let login = "host: 127.0.0.1\nuser: ${PG_USER}\npassword: ${PG_PASSWORD}\ndatabase: postgres"
        // A committed transaction on the primary gives the standby a replay time.
        let (primary, _, _) = try await TestServer.run(login + "\nport: ${PG_PORT}\nquery: SELECT txid_current()")
        #expect(primary.status == .ok, "\(primary.message)")
        #expect(!primary.metrics.contains { $0.name == "replication_lag_s" }, "the primary is no standby")
        var lag: Metric?
        let giveUp = ContinuousClock.now + .seconds(5)
        while lag == nil, ContinuousClock.now < giveUp {
            let (reads, _, _) = try await TestServer.run(login + "\nport: \(standby)")
            lag = reads.metrics.first { $0.name == "replication_lag_s" }
            if lag == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let measured = try #require(lag, "the standby reported no replication_lag_s")
        #expect(measured.unit == .s)
        #expect(measured.value >= 0)
    }

    @Test func manyPingsInParallel() async throws {
        var registry = CheckerRegistry()
        registry.registerPostgres()
        var yaml = "checks:\n"
        for index in 0..<50 {
            yaml +=
                "  - {name: db\(index), type: postgres, host: 127.0.0.1, port: \"${PG_PORT}\", user: \"${PG_USER}\", password: \"${PG_PASSWORD}\", database: postgres}\n"
        }
        let configuration = try ConfigLoader(
            registry: registry,
            environment: ["PG_PASSWORD": TestServer.password, "PG_PORT": TestServer.port, "PG_USER": TestServer.user]
        ).load(sources: [ConfigSource(path: "db.yaml", text: yaml)])
        let report = await Engine(concurrency: 50).run(configuration)
        #expect(report.summary.ok == 50, "\(report.checks.filter { $0.status != .ok }.map(\.message))")
    }
}

@Suite struct PostgresFaultTests {
    @Test func refused() async throws {
        let port = try await refusedPort()
        let (result, elapsed, _) = try await TestServer.run(
            "host: 127.0.0.1\nport: \(port)\nuser: x\npassword: pw-canary-123")
        #expect(result.message == "connection refused to 127.0.0.1:\(port)")
        #expect(elapsed < TimeBounds.scaled(.seconds(1)), "took \(elapsed)")
    }

    @Test func aServerThatClosesAfterTheStartupPacket() async throws {
        let server = try await HangUpServer()
        defer { Task { await server.close() } }
        let (result, elapsed, _) = try await TestServer.run(
            "host: 127.0.0.1\nport: \(server.port)\nuser: x\npassword: pw-canary-123")
        #expect(result.message == "the server at 127.0.0.1:\(server.port) closed the connection unexpectedly")
        #expect(elapsed < TimeBounds.scaled(.seconds(1)), "took \(elapsed)")
    }

    @Test func aServerThatNeverSpeaksFailsAtTheDeadline() async throws {
        let blackhole = try await BlackholeServer()
        defer { Task { await blackhole.close() } }
        let (result, elapsed, _) = try await TestServer.run(
            "host: 127.0.0.1\nport: \(blackhole.port)\nuser: x\npassword: pw-canary-123\nsslmode: disable",
            timeout: "700ms"
        )
        #expect(result.status == .fail)
        #expect(result.message == "timed out after 700ms: no answer from 127.0.0.1:\(blackhole.port)")
        #expect(elapsed < TimeBounds.promise(.milliseconds(700)), "took \(elapsed)")
    }

    @Test(arguments: [
        (
            "dsn: \"host=127.0.0.1 nonsense=1\"",
            "db.yaml:5:10: error: invalid dsn: invalid connection option \"nonsense\""
        ),
        (
            "host: 127.0.0.1\nsslmode: requier",
            "db.yaml:6:14: error: invalid sslmode 'requier'\n  hint: did you mean 'require'?"
        ),
        ("host: 127.0.0.1\nport: 0", "db.yaml:6:11: error: port 0 is out of range 1-65535"),
    ])
    func invalidFieldsAreLocated(fields: String, diagnostic: String) async {
        do {
            _ = try await TestServer.run(fields)
            Issue.record("loaded")
        } catch let error as ConfigurationError {
            #expect(error.diagnostics.first?.description.hasPrefix(diagnostic) == true, "\(error.diagnostics)")
        } catch {
            Issue.record("\(error)")
        }
    }
}

@Suite struct ConnectionStringTests {
    @Test func anUnencodedSlashInThePasswordIsAnError() async {
        do {
            _ = try await TestServer.run("dsn: \"postgresql://u:pass/word-canary@127.0.0.1:5432/db\"")
            Issue.record("loaded")
        } catch let error as ConfigurationError {
            #expect(
                error.diagnostics.first?.description
                    == "db.yaml:5:10: error: the user or password in the dsn contains '/', '?' or '#', which ends the user part of a URI\n  hint: percent-encode them (/ as %2F, ? as %3F, # as %23), or use host, user and password fields"
            )
            #expect(!error.description.contains("word-canary"))
        } catch {
            Issue.record("\(error)")
        }
    }
}
