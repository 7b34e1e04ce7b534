import AsyncHTTPClient
import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import NIOCore
import NIOHTTP1
import Testing

/// `healthrun serve` end to end: the built binary, real sockets, a real SQLite file, signals.
@Suite(.serialized) struct ServeCommandTests {
    /// A port nothing listens on (bound and released; the kernel does not hand it out again at once).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func checks(web: String) -> String {
        """
        defaults:
          interval: 1s
        checks:
          - name: web
            type: http
            url: \(web)/health
          - name: db-port
            type: tcp
            host: 127.0.0.1
            port: 1
        """
    }

    static func request(_ url: String, method: HTTPMethod = .GET) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static func waitForListener(port: Int) async throws {
        for _ in 0..<250 {
            if (try? await request("http://127.0.0.1:\(port)/healthz"))?.0 == 200 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("nothing listened on \(port)")
    }

    @Test func killMinus9LosesAtMostABatchAndARestartContinuesTheHistory() async throws {
        let web = try await LoopbackHTTPServer { _ in Behaviour.text(200, "ok") }
        defer { Task { await web.close() } }
        let directory = try TemporaryDirectory(files: ["checks.d/app.yaml": Self.checks(web: web.baseURL)])
        let db = directory.path + "/history.sqlite"
        let arguments = ["serve", "-d", "checks.d", "--db", db]

        let killed = try await BinaryRunner.run(
            arguments + ["--listen", "127.0.0.1:\(try Self.freePort())"], in: directory.path,
            signal: (after: .milliseconds(3500), number: SIGKILL))
        #expect(killed.exitCode == SIGKILL)
        let afterKill = try ResultStore(path: db)
        #expect(try afterKill.integrityCheck() == "ok")
        let before = try await afterKill.results(check: "web", since: 0).count
        // Ran at 1 s intervals for 3.5 s (2-4 runs): at most the last second's batch is lost.
        #expect(before >= 1, "\(killed.stderr)")
        // The http check's metrics were committed with its results, in the same transactions.
        let series = try await afterKill.metricSeries(check: "web", since: 0, resolution: nil)
        #expect(Set(series.map(\.name)) == ["body_bytes", "status_code"])
        #expect(series.allSatisfy { $0.points.count == before }, "\(series)")

        let stopped = try await BinaryRunner.run(
            arguments + ["--listen", "127.0.0.1:\(try Self.freePort())"], in: directory.path,
            signal: (after: .milliseconds(3000), number: SIGTERM))
        #expect(stopped.exitCode == 0, "\(stopped.stderr)")
        #expect(stopped.elapsed < .seconds(3 + 5), "SIGTERM must end serve within 5 s")
        #expect(stopped.stderr.contains("healthrun serve: stopped"))
        let store = try ResultStore(path: db)
        #expect(try store.integrityCheck() == "ok")
        let after = try await store.results(check: "web", since: 0)
        #expect(after.count >= before + 2, "history continues after the restart")
        #expect(after.last?.status == .ok)
        #expect(
            try store.snapshot(hourlySince: 0, dailySince: 0).latest["db-port"]?.message
                == "connection refused to 127.0.0.1:1")
    }

    @Test func anInvalidConfigurationExits2AndListensNowhere() async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/app.yaml": """
            checks:
              - name: web
                type: http
                url: http://127.0.0.1:1/
                interval: 500ms
            """
        ])
        let port = try Self.freePort()
        let output = try await BinaryRunner.run(
            ["serve", "-d", "checks.d", "--listen", "127.0.0.1:\(port)", "--db", directory.path + "/h.sqlite"],
            in: directory.path)
        #expect(output.exitCode == 2)
        #expect(
            output.stderr.contains("checks.d/app.yaml:5:15: error: interval must be at least 1s"), "\(output.stderr)")
        #expect(!output.stderr.contains("listening"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/h.sqlite"), "nothing was opened")
    }

    @Test func aTakenPortIsNamed() async throws {
        let occupant = try await LoopbackHTTPServer { _ in Behaviour.text(200, "mine") }
        defer { Task { await occupant.close() } }
        let directory = try TemporaryDirectory(files: ["checks.d/app.yaml": Self.checks(web: occupant.baseURL)])
        let output = try await BinaryRunner.run(
            [
                "serve", "-d", "checks.d", "--listen", "127.0.0.1:\(occupant.port)", "--db",
                directory.path + "/h.sqlite",
            ],
            in: directory.path)
        #expect(output.exitCode == 1)
        #expect(
            output.stderr.contains(
                "healthrun serve: cannot listen on 127.0.0.1:\(occupant.port): address already in use"),
            "\(output.stderr)")
    }

    @Test func reloadKeepsTheRunningConfigurationWhenTheNewOneIsInvalid() async throws {
        let web = try await LoopbackHTTPServer { _ in Behaviour.text(200, "ok") }
        defer { Task { await web.close() } }
        let directory = try TemporaryDirectory(files: ["checks.d/app.yaml": Self.checks(web: web.baseURL)])
        let port = try Self.freePort()
        async let output = BinaryRunner.run(
            [
                "serve", "-d", "checks.d", "--listen", "127.0.0.1:\(port)", "--db", directory.path + "/h.sqlite",
                "--enable-lifecycle",
            ],
            in: directory.path, signal: (after: .seconds(4), number: SIGTERM))
        try await Self.waitForListener(port: port)
        try directory.write("checks.d/more.yaml", "checks:\n  - name: extra\n    type: htp\n")
        let (rejected, diagnostics) = try await Self.request("http://127.0.0.1:\(port)/-/reload", method: .POST)
        #expect(rejected == 400)
        #expect(diagnostics.contains("checks.d/more.yaml:3:11: error: unknown check type 'htp'"), "\(diagnostics)")
        let (_, status) = try await Self.request("http://127.0.0.1:\(port)/api/v1/status")
        #expect(status.contains("\"name\":\"web\"") && !status.contains("extra"))

        try directory.write(
            "checks.d/more.yaml", "checks:\n  - name: extra\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n")
        let (accepted, body) = try await Self.request("http://127.0.0.1:\(port)/-/reload", method: .POST)
        #expect(accepted == 200)
        #expect(body.contains("\"checks\":3"))
        let (_, reloaded) = try await Self.request("http://127.0.0.1:\(port)/api/v1/status")
        #expect(reloaded.contains("\"name\":\"extra\""))
        let finished = try await output
        #expect(finished.exitCode == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("reload rejected; the running configuration stays"))
    }

    @Test func sighupReloadsChecksD() async throws {
        let web = try await LoopbackHTTPServer { _ in Behaviour.text(200, "ok") }
        defer { Task { await web.close() } }
        let directory = try TemporaryDirectory(files: ["checks.d/app.yaml": Self.checks(web: web.baseURL)])
        let port = try Self.freePort()
        async let output = BinaryRunner.run(
            ["serve", "-d", "checks.d", "--listen", "127.0.0.1:\(port)", "--db", directory.path + "/h.sqlite"],
            in: directory.path, signals: [(.milliseconds(2500), SIGHUP), (.seconds(5), SIGTERM)])
        try await Self.waitForListener(port: port)
        try directory.write(
            "checks.d/more.yaml",
            "checks:\n  - name: added-by-sighup\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n")
        let (_, before) = try await Self.request("http://127.0.0.1:\(port)/api/v1/status")
        #expect(!before.contains("added-by-sighup"))
        var seen = false
        for _ in 0..<100 where !seen {
            try await Task.sleep(for: .milliseconds(50))
            seen = try await Self.request("http://127.0.0.1:\(port)/api/v1/status").1.contains("added-by-sighup")
        }
        #expect(seen, "SIGHUP re-read checks.d")
        let finished = try await output
        #expect(finished.exitCode == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("reloaded checks.d"))
    }

    @Test func sigtermWhileAnAlertIsRetryingExitsCleanlyWithinFiveSeconds() async throws {
        // Before: "Fatal error: Cancellation took longer than allowed" (SIGILL, exit 132) after 4 s.
        let receiver = try await LoopbackHTTPServer { _ in .json(503, #"{"error":"maintenance"}"#) }
        defer { Task { await receiver.close() } }
        let directory = try TemporaryDirectory(files: [
            "checks.d/app.yaml": """
            alerting:
              webhook:
                url: \(receiver.baseURL)/hook
            checks:
              - name: payments
                type: tcp
                host: 127.0.0.1
                port: 1
                interval: 1s
                alert: {after: 1}
            """
        ])
        let port = try Self.freePort()
        let output = try await BinaryRunner.run(
            ["serve", "-d", "checks.d", "--listen", "127.0.0.1:\(port)", "--db", directory.path + "/h.sqlite"],
            in: directory.path, signal: (after: .seconds(3), number: SIGTERM))
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(!output.stderr.contains("Fatal error"))
        #expect(output.elapsed < .seconds(8), "exited \(output.elapsed) after start, SIGTERM at 3 s")
        #expect(!receiver.requests.isEmpty, "the alert was being retried when SIGTERM came")
        // State changes are logged, one line each (the check runs every second: one DOWN only).
        let downs = output.stderr.split(separator: "\n").filter { $0.contains("DOWN payments: ") }
        #expect(downs.count == 1, "\(output.stderr)")
    }

    @Test func aDamagedHistoryExits2AndIsLeftAsItWas() async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/app.yaml": "checks:\n  - name: db-port\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n",
            "h.sqlite": "SQLite format 3 -- but not really",
        ])
        let port = try Self.freePort()
        let output = try await BinaryRunner.run(
            ["serve", "-d", "checks.d", "--listen", "127.0.0.1:\(port)", "--db", "h.sqlite"], in: directory.path)
        #expect(output.exitCode == 2, "\(output.stderr)")
        #expect(output.stderr.contains("the history database 'h.sqlite' cannot be read"), "\(output.stderr)")
        #expect(
            try String(contentsOfFile: directory.path + "/h.sqlite", encoding: .utf8)
                == "SQLite format 3 -- but not really")
    }

    @Test func filesOtherUsersCanChangeAreRefusedAtStartAndOnReload() async throws {
        // Before: a checks.d file symlinked into a directory another user could write let that
        // user run `type: exec` commands as serve's user (root in the probe).
        let directory = try TemporaryDirectory(files: [
            "checks.d/app.yaml": "checks:\n  - name: db-port\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n",
            "shared/more.yaml": "checks:\n  - name: planted\n    type: exec\n    command: [\"true\"]\n",
        ])
        chmod(directory.path + "/shared", 0o777)
        symlink(directory.path + "/shared/more.yaml", directory.path + "/checks.d/more.yaml")
        let port = try Self.freePort()
        let arguments = [
            "serve", "-d", "checks.d", "--listen", "127.0.0.1:\(port)", "--db", "h.sqlite", "--enable-lifecycle",
        ]
        let refused = try await BinaryRunner.run(arguments, in: directory.path)
        #expect(refused.exitCode == 2, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("/shared: the directory of a checks.d file is writable by others (mode 777)"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-insecure-files"))

        // Fixed, it starts; a file made writable afterwards is refused on reload (400), and the
        // running configuration stays.
        chmod(directory.path + "/shared", 0o755)
        async let output = BinaryRunner.run(
            arguments, in: directory.path, signal: (after: .seconds(3), number: SIGTERM))
        try await Self.waitForListener(port: port)
        chmod(directory.path + "/shared/more.yaml", 0o666)
        let (status, body) = try await Self.request("http://127.0.0.1:\(port)/-/reload", method: .POST)
        #expect(status == 400)
        #expect(body.contains("more.yaml: a checks.d file is writable by others (mode 666)"), "\(body)")
        let finished = try await output
        #expect(finished.exitCode == 0, "\(finished.stderr)")

        chmod(directory.path + "/shared/more.yaml", 0o644)
        if getuid() == 0 {
            // Owned by another user (root can hand it over): refused too.
            chown(directory.path + "/shared/more.yaml", 65534, 65534)
            let foreign = try await BinaryRunner.run(arguments, in: directory.path)
            #expect(foreign.exitCode == 2)
            #expect(
                foreign.stderr.contains("more.yaml: a checks.d file is owned by nobody, not by root"),
                "\(foreign.stderr)")
        }
        let allowed = try await BinaryRunner.run(
            arguments + ["--allow-insecure-files"], in: directory.path, signal: (after: .seconds(1), number: SIGTERM))
        #expect(allowed.exitCode == 0, "\(allowed.stderr)")
    }
}
