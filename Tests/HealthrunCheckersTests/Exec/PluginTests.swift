import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

@Suite struct PluginTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// A plugins directory with one shell script per entry (made executable unless named `*.noexec`).
    func plugins(_ scripts: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(files: scripts.mapValues { "#!/bin/sh\n" + $0 + "\n" })
        for name in scripts.keys where !name.hasSuffix(".noexec") {
            chmod(directory.path + "/" + name, 0o755)
        }
        return directory
    }

    @Test func jsonAnswerWithFieldsOnStdinAndEnvironment() async throws {
        let directory = try plugins([:])
        defer { directory.remove() }
        let received = directory.path + "/stdin.json"
        try directory.write(
            "echo_fields",
            #"""
            #!/bin/sh
            cat > "RECEIVED"
            printf '{"status":"ok","message":"ran as %s in %sms","metrics":{"x":1.5},"details":{"k":"v"}}\n' "$HEALTHRUN_CHECK_NAME" "$HEALTHRUN_TIMEOUT_MS"
            """#.replacingOccurrences(of: "RECEIVED", with: received)
        )
        chmod(directory.path + "/echo_fields", 0o755)
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "echo_fields", timeout: "2s",
                // interval and alert are serve's keys (the loader's one list): never forwarded.
                "host: ${HOST}\nport: 8080\nflags: [a, b]\npath: /var\ninterval: 30s\nalert: {after: 2}"),
            environment: ["HOST": "127.0.0.1"],
            plugins: directory.path
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message == "ran as probe in 2000ms")
        #expect(run.result.details["metrics"] == .object(["x": .double(1.5)]))
        #expect(run.result.details["k"] == .string("v"))
        let input = try String(contentsOfFile: received, encoding: .utf8)
        #expect(input == #"{"flags":["a","b"],"host":"127.0.0.1","path":"/var","port":8080}"# + "\n")
    }

    @Test(arguments: [
        ("echo 'DISK OK - 45% free | free=45%;20;10;0;100'; exit 0", CheckStatus.ok, "DISK OK - 45% free"),
        ("echo 'LOAD WARNING - load 3.1'; exit 1", .warn, "LOAD WARNING - load 3.1"),
        ("echo 'PROCS CRITICAL - 0 processes'; exit 2", .fail, "PROCS CRITICAL - 0 processes"),
        ("echo 'cannot read /proc'; exit 3", .fail, "UNKNOWN: cannot read /proc"),
        ("echo 'odd'; exit 7", .fail, "plugin p exited with status 7: odd"),
        ("echo 'to stderr' >&2; exit 2", .fail, "plugin p exited with status 2 and printed nothing; stderr: to stderr"),
        ("kill -SEGV $$", .fail, "plugin p was killed by SIGSEGV"),
        ("printf '\\377\\376 OK\\n'", .ok, "\u{FFFD}\u{FFFD} OK"),
        // Output that starts like JSON is held to the JSON contract (it used to be ok).
        (
            "echo '{\"status\":\"bogus\"}'; exit 0", .fail,
            "plugin p printed an invalid JSON result (\"status\" is 'bogus'; it must be \"ok\", \"warn\" or \"fail\"); exit status 0; printed: {\"status\":\"bogus\"}"
        ),
        (
            "echo '{\"status\": \"maybe\"'; exit 0", .fail,
            "plugin p printed an invalid JSON result (Unexpected end of file during JSON parse); exit status 0; printed: {\"status\": \"maybe\""
        ),
        (
            "echo '{\"message\": \"fine\"}'; exit 0", .fail,
            "plugin p printed an invalid JSON result (no \"status\"; it must be \"ok\", \"warn\" or \"fail\"); exit status 0; printed: {\"message\": \"fine\"}"
        ),
    ])
    func nagiosConvention(script: String, status: CheckStatus, message: String) async throws {
        let directory = try plugins(["p": script])
        defer { directory.remove() }
        let run = try await CheckHarness.run(CheckHarness.check("p", ""), plugins: directory.path)
        #expect(run.result.status == status)
        #expect(run.result.message == message)
    }

    @Test(arguments: [
        ("", "exit 1", CheckStatus.warn, "sh exited with status 1 and printed nothing"),
        ("exit_codes: nagios", "exit 1", .warn, "sh exited with status 1 and printed nothing"),
        ("exit_codes: zero_ok", "exit 1", .fail, "sh exited with status 1 and printed nothing"),
        ("exit_codes: zero_ok", "echo not ready; exit 1", .fail, "sh exited with status 1: not ready"),
        ("exit_codes: zero_ok", "echo WARNING; exit 1", .fail, "sh exited with status 1: WARNING"),
        ("exit_codes: zero_ok", "echo ready; exit 0", .ok, "ready"),
    ])
    func execExitCodes(option: String, script: String, status: CheckStatus, message: String) async throws {
        // `test -f /ready` exits 1 when the file is missing: with the Nagios default that is a
        // WARN, which never fails the gate; zero_ok makes it a FAIL.
        let run = try await CheckHarness.run(
            CheckHarness.check("exec", "command: [sh, -c, \"\(script)\"]\n\(option)"))
        #expect(run.result.status == status)
        #expect(run.result.message == message)
    }

    @Test func anUnknownExitCodeConventionIsALocatedError() throws {
        var registry = CheckerRegistry()
        registry.registerNetworkCheckers(http: HTTPClientProvider(concurrency: 1))
        let loader = ConfigLoader(registry: registry, environment: [:])
        let error = #expect(throws: ConfigurationError.self) {
            try loader.load(sources: [
                ConfigSource(path: "x.yaml", text: CheckHarness.check("exec", "command: [true]\nexit_codes: zero"))
            ])
        }
        #expect(
            error?.diagnostics.map(\.description) == [
                "x.yaml:6:17: error: unknown exit_codes 'zero'\n  hint: use nagios (0 ok, 1 warn, 2 and 3 fail) or zero_ok (0 ok, anything else fail)"
            ])
    }

    @Test func perfdataIsParsed() async throws {
        let directory = try plugins([
            "p":
                "echo \"TCP OK - 0.001 second response time | time=0.001s;;;0.000000;10.000000 'free /'=12B;5;2;0;100 bad junk=U\""
        ])
        defer { directory.remove() }
        let run = try await CheckHarness.run(CheckHarness.check("p", ""), plugins: directory.path)
        #expect(run.result.details["metrics"] == .object(["time": .double(0.001), "free /": .double(12)]))
        guard case .array(let perfdata)? = run.result.details["perfdata"] else {
            Issue.record("no perfdata")
            return
        }
        #expect(perfdata.count == 3)
        #expect(
            perfdata[1]
                == .object([
                    "label": "free /", "value": .double(12), "unit": "B", "warn": "5", "crit": "2", "min": "0",
                    "max": "100",
                ]))
        #expect(perfdata[2] == .object(["label": "junk", "value": .null]))
    }

    /// Misbehaving plugins end on time with a message naming the fault, and leave nothing running.
    @Test(arguments: [
        ("ignores_term", "echo $$ > \"$PIDFILE\"; trap '' TERM; while :; do sleep 1; done", "timed out after 500ms"),
        ("holds_stdout", "(echo $$ > \"$PIDFILE\"; sleep 30) & echo 'OK - parent done'; exit 0", "OK - parent done"),
        ("floods_forever", "echo $$ > \"$PIDFILE\"; exec yes", "timed out after 500ms"),
    ])
    func misbehavingPluginsEndOnTime(name: String, script: String, message: String) async throws {
        let directory = try plugins([:])
        defer { directory.remove() }
        let pidFile = directory.path + "/pid"
        try directory.write(name, "#!/bin/sh\n" + script.replacingOccurrences(of: "$PIDFILE", with: pidFile) + "\n")
        chmod(directory.path + "/" + name, 0o755)
        let run = try await CheckHarness.run(CheckHarness.check(name, timeout: "500ms", ""), plugins: directory.path)
        #expect(run.elapsed < .seconds(1), "\(name) took \(run.elapsed)")
        #expect(run.result.message.hasPrefix(message), "\(run.result.message.prefix(100))")
        // The process group is gone within the kill grace (the engine path serve runs checks
        // through too): polled, with a bound of the grace plus slack.
        let pid =
            Int32(
                (try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                    ?? "") ?? 0
        #expect(pid > 0)
        func processState() -> Substring? {
            (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: ")").last?
                .split(separator: " ").first
        }
        let giveUp = ContinuousClock.now + .milliseconds(1500)
        while let current = processState(), current != "Z", ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(20))
        }
        let state = processState()
        #expect(state == nil || state == "Z", "\(name) left process \(pid) running")
    }

    @Test func aHugeOutputIsBounded() async throws {
        let directory = try plugins(["floods": "yes xxxxxxxxxxxxxxx | head -c 100000000; echo; exit 0"])
        defer { directory.remove() }
        let run = try await CheckHarness.run(CheckHarness.check("floods", timeout: "5s", ""), plugins: directory.path)
        #expect(run.result.status == .ok)
        #expect(run.result.message.count <= 501)
        #expect(run.result.details["stdout_dropped_bytes"] == .int(100_000_001 - 65536))
        #expect(run.result.message == "xxxxxxxxxxxxxxx")
    }

    @Test func notExecutableAndMissing() async throws {
        let directory = try plugins(["lazy.noexec": "echo never"])
        defer { directory.remove() }
        let run = try await CheckHarness.run(CheckHarness.check("lazy", ""), plugins: directory.path)
        #expect(
            run.result.message
                == "plugin \(directory.path)/lazy.noexec is not executable (chmod +x \(directory.path)/lazy.noexec)")
        let missing = try await CheckHarness.run(CheckHarness.check("exec", "command: [/nonexistent/check_thing, -v]"))
        #expect(missing.result.message == "command not found: /nonexistent/check_thing")
    }

    @Test func aSecretThePluginPrintsIsMasked() async throws {
        let directory = try plugins(["leaky": "cat; echo"])
        defer { directory.remove() }
        let canary = "plugin-canary-secret-0123456789"
        let run = try await CheckHarness.run(
            CheckHarness.check("leaky", "password: ${DB_PASSWORD}\napi_token: literal-token-canary-99"),
            environment: ["DB_PASSWORD": canary],
            plugins: directory.path
        )
        #expect(!run.allOutput.contains(canary))
        #expect(!run.allOutput.contains("literal-token-canary-99"))
        #expect(run.result.message.contains("plug…6789"))
    }

    @Test func unknownTypesSuggestPlugins() throws {
        let directory = try plugins(["disk_free": "exit 0"])
        defer { directory.remove() }
        var registry = CheckerRegistry()
        registry.registerPlugins(in: PluginDirectory(path: directory.path))
        do {
            _ = try ConfigLoader(registry: registry, environment: [:])
                .load(sources: [ConfigSource(path: "p.yaml", text: CheckHarness.check("disk_fre", ""))])
            Issue.record("loaded")
        } catch {
            #expect(error.diagnostics.first?.hints == ["did you mean 'disk_free'?"])
        }
    }

    @Test func theShippedDiskPlugin() async throws {
        let run = try await CheckHarness.run(
            CheckHarness.check("disk_free", "path: /\nwarn_percent: 0\ncrit_percent: 0"),
            plugins: Self.repository + "/Plugins"
        )
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message.hasPrefix("DISK OK - / "))
        guard case .object(let metrics)? = run.result.details["metrics"], case .double(let free)? = metrics["free_pct"]
        else {
            Issue.record("no free_pct metric")
            return
        }
        #expect((0...100).contains(free))
    }

    @Test func theShippedCertificatePlugin() async throws {
        let certificates = try await HTTPTLSTests.certificates.value
        let server = try await LoopbackHTTPServer(
            tls: (certificates.path("server.pem"), certificates.path("server-key.pem"))
        ) { _ in
            .text(200, "ok")
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "cert_expiry",
                "host: 127.0.0.1\nport: \(server.port)\nca_file: \(certificates.path("ca.pem"))\nwarn_days: 60"),
            plugins: Self.repository + "/Plugins"
        )
        #expect(run.result.status == .warn, "\(run.result.message)")
        #expect(run.result.message.hasPrefix("certificate of 127.0.0.1:\(server.port) expires in 30 days"))
        let untrusted = try await CheckHarness.run(
            CheckHarness.check("cert_expiry", "host: 127.0.0.1\nport: \(server.port)"),
            plugins: Self.repository + "/Plugins"
        )
        #expect(untrusted.result.message.hasPrefix("TLS: certificate not trusted (127.0.0.1:\(server.port))"))
    }
}

/// Debian's monitoring-plugins, run unchanged through `type: exec`.
@Suite struct MonitoringPluginsTests {
    static let directory = "/usr/lib/nagios/plugins"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: directory + "/check_tcp") }

    /// Skipped, not passed, outside CI.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] != nil, "only CI must have them"))
    func theyAreInstalledInCI() {
        #expect(Self.installed, "CI must install monitoring-plugins-basic (.ci/run does)")
    }

    @Test(.enabled(if: installed)) func checkTCP() async throws {
        let server = try await BlackholeServer()
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check("exec", "command: [\(Self.directory)/check_tcp, -H, 127.0.0.1, -p, \"\(server.port)\"]"))
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message.hasPrefix("TCP OK - "))
        guard case .object(let metrics)? = run.result.details["metrics"] else {
            Issue.record("no perfdata")
            return
        }
        #expect(metrics["time"] != nil)
    }

    @Test(.enabled(if: installed)) func checkTCPRefused() async throws {
        let port = try await refusedPort()
        let run = try await CheckHarness.run(
            CheckHarness.check("exec", "command: [\(Self.directory)/check_tcp, -H, 127.0.0.1, -p, \"\(port)\"]"))
        #expect(run.result.status == .fail)
        #expect(run.result.message.contains("Connection refused"))
    }

    @Test(.enabled(if: installed)) func checkHTTP() async throws {
        let server = try await LoopbackHTTPServer { _ in .text(200, "healthy") }
        defer { Task { await server.close() } }
        let ok = try await CheckHarness.run(
            CheckHarness.check(
                "exec", "command: [\(Self.directory)/check_http, -H, 127.0.0.1, -p, \"\(server.port)\", -s, healthy]"))
        #expect(ok.result.status == .ok, "\(ok.result.message)")
        #expect(ok.result.message.hasPrefix("HTTP OK: HTTP/1.1 200 OK"))
        guard case .object(let metrics)? = ok.result.details["metrics"] else {
            Issue.record("no perfdata")
            return
        }
        #expect(metrics["size"] != nil && metrics["time"] != nil)
        let missing = try await CheckHarness.run(
            CheckHarness.check(
                "exec", "command: [\(Self.directory)/check_http, -H, 127.0.0.1, -p, \"\(server.port)\", -s, absent]"))
        #expect(missing.result.status == .fail)
        #expect(missing.result.message.hasPrefix("HTTP CRITICAL"))
    }

    @Test(.enabled(if: installed)) func checkDisk() async throws {
        let run = try await CheckHarness.run(
            CheckHarness.check("exec", "command: [\(Self.directory)/check_disk, -w, \"0%\", -c, \"0%\", -p, /]"))
        #expect(run.result.status == .ok, "\(run.result.message)")
        #expect(run.result.message.hasPrefix("DISK OK"))
        guard case .object(let metrics)? = run.result.details["metrics"] else {
            Issue.record("no perfdata")
            return
        }
        #expect(metrics["/"] != nil)
    }
}
