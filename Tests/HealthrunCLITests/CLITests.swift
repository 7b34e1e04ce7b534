import Foundation
import HealthrunTesting
import Testing

@Suite(.serialized) struct CLITests {
    @Test func validateReportsEveryProblemAndExits2() async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/llm.yaml":
                "checks:\n  - name: claude-code-health\n    type: http\n    url: http://127.0.0.1:1/health\n    timout: 3s\n",
            "checks.d/db.yaml": "checks:\n  - name: claude-code-health\n    type: postgress\n",
        ])
        defer { directory.remove() }
        for command in [["validate"], []] {
            let output = try await BinaryRunner.run(command, in: directory.path)
            #expect(output.exitCode == 2)
            #expect(output.stdout.isEmpty, "nothing runs on a configuration error")
            #expect(
                output.stderr == """
                    checks.d/db.yaml:3:11: error: unknown check type 'postgress' in check 'claude-code-health'
                      hint: did you mean 'postgres'?
                      note: known types: completion, exec, http, models, postgres, tcp, telegram, usage (or an executable plugin of that name)
                      note: no plugin 'postgress': searched the plugins directory 'Plugins' (it does not exist); set it with --plugins-dir or $HEALTHRUN_PLUGINS_DIR (default ./Plugins)
                    checks.d/llm.yaml:2:11: error: duplicate check name 'claude-code-health'
                      note: checks.d/db.yaml:2:11: first defined here
                    checks.d/llm.yaml:5:5: error: unknown key 'timout' in check 'claude-code-health'
                      hint: did you mean 'timeout'?
                    healthrun: 3 errors in 2 files; nothing was run

                    """
            )
        }
    }

    /// libpq and the libraries it needs are loaded only when a check needs them: the dynamic
    /// loader's own trace (LD_DEBUG=files) of a run of HTTP and TCP checks names no libpq, and of a
    /// run with a postgres check names it as loaded at run time, not at start.
    @Test func libpqIsLoadedOnlyForPostgresChecks() async throws {
        let directory = try TemporaryDirectory(files: [
            "web/checks.d/app.yaml":
                "checks:\n  - name: web\n    type: http\n    url: http://127.0.0.1:1/health\n"
                + "  - name: port\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n",
            "db/checks.d/db.yaml":
                "checks:\n  - name: db\n    type: postgres\n    dsn: postgresql://app@127.0.0.1:1/app\n",
        ])
        defer { directory.remove() }
        let web = try await BinaryRunner.run(
            ["validate"], in: directory.path + "/web", environment: ["LD_DEBUG": "files"])
        #expect(web.exitCode == 0, "\(web.stderr)")
        #expect(web.stderr.contains("file=libc.so.6"), "the trace is there")
        #expect(!web.stderr.contains("libpq"))
        let db = try await BinaryRunner.run(
            ["validate"], in: directory.path + "/db", environment: ["LD_DEBUG": "files"])
        #expect(db.exitCode == 0, "\(db.stderr)")
        #expect(db.stderr.contains("file=libpq.so.5 [0];  dynamically loaded by"), "\(db.stderr.prefix(2000))")
    }

    @Test func aPassingRunExits0WithTableAndJSONReport() async throws {
        let server = try await LoopbackHTTPServer { _ in .json(200, #"{"status":"ok"}"#) }
        let directory = try TemporaryDirectory(files: [
            "checks.d/app.yaml": """
            groups:
              - name: web
                policy: any
            checks:
              - name: app-health
                type: http
                url: ${APP_URL}/health
                tags: [web]
                group: web
                expect: {json: {"$.status": ok}}
              - name: app-port
                type: tcp
                host: 127.0.0.1
                port: ${APP_PORT}
            """
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(
            ["--report", "json:out.json", "--no-color"],
            in: directory.path,
            environment: ["APP_URL": server.baseURL, "APP_PORT": String(server.port)]
        )
        #expect(output.exitCode == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("STATUS  NAME        TYPE  LATENCY") == true, "\(output.stdout)")
        #expect(output.stdout.contains("group web (any): OK — carried by app-health"))
        #expect(output.stdout.contains("\nPASSED — 2 ok in "), "\(output.stdout)")
        #expect(!output.stdout.contains("\u{1B}["))
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/out.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "schema_version", "tool", "started_at", "finished_at", "duration_ms", "status", "cancelled", "summary",
                "checks", "groups",
            ])
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["status"] as? String == "ok")
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(
            summary.filter { $0.key != "groups" } as? [String: Int] == [
                "total": 2, "ok": 2, "warn": 0, "fail": 0, "skipped": 0,
            ])
        #expect(summary["groups"] as? [String: Int] == ["total": 1, "ok": 1, "warn": 0, "fail": 0, "skipped": 0])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(
            Set(checks[0].keys) == [
                "name", "type", "status", "critical", "duration_ms", "attempts", "message", "group", "tags", "source",
                "details", "metrics",
            ])
        #expect(checks[0]["source"] as? String == "checks.d/app.yaml:5")
        #expect(checks[0]["group"] as? String == "web")
        #expect(checks[1]["group"] is NSNull)
        let details = try #require(checks[0]["details"] as? [String: Any])
        #expect(details["status_code"] as? Int == 200)
        #expect(details["target"] as? String == "\(server.baseURL)/health")
        let metrics = try #require(checks[0]["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["name"] as? String } == ["body_bytes", "status_code"])
        #expect(metrics.last?["value"] as? Int == 200)
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups[0]["policy"] as? String == "any")
        #expect(groups[0]["members"] as? [String] == ["app-health"])
        #expect(groups[0]["carried_by"] as? String == "app-health")
        #expect(groups[0]["critical"] as? Bool == true)
        let started = try #require(json["started_at"] as? String)
        #expect(started.count == 24 && started.hasSuffix("Z"), "\(started)")
    }

    @Test func aCriticalFailureExits1AndANonCriticalOneDoesNot() async throws {
        let port = try await refusedPort()
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml":
                "checks:\n  - name: down\n    type: tcp\n    host: 127.0.0.1\n    port: \(port)\n    critical: ${CRITICAL}\n"
        ])
        defer { directory.remove() }
        let critical = try await BinaryRunner.run(["-q"], in: directory.path, environment: ["CRITICAL": "true"])
        #expect(critical.exitCode == 1)
        #expect(critical.stdout.isEmpty)
        let optional = try await BinaryRunner.run([], in: directory.path, environment: ["CRITICAL": "false"])
        #expect(optional.exitCode == 0)
        #expect(optional.stdout.contains("connection refused to 127.0.0.1:\(port)"))
    }

    @Test(arguments: [
        (["--report", "yaml"], "--report: unknown format 'yaml'"),
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--timeout", "5 sex"], "--timeout: invalid duration '5 sex': unknown unit 'sex'"),
        (["--frobnicate"], "Unknown option '--frobnicate'"),
        (["--only", "nope"], "--only: no check named 'nope'; did you mean 'one'?"),
        (["--tag", "nope"], "--tag: no check has tag 'nope'; tags in use: t"),
        (["--env-file", "missing.env"], "error: env file 'missing.env' does not exist"),
    ])
    func usageErrorsExit2(arguments: [String], message: String) async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": "checks:\n  - {name: one, type: tcp, host: 127.0.0.1, port: 9, tags: [t]}\n"
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(arguments, in: directory.path)
        #expect(output.exitCode == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }

    @Test(arguments: [
        (
            ["valdiate"],
            "healthrun: unknown command 'valdiate'; did you mean 'validate'?\ncommands: run, validate, list, types, demo, merge, serve (see 'healthrun --help')\n"
        ),
        (
            ["-r", "yaml"],
            "healthrun: --report: unknown format 'yaml'; did you mean 'html'?\nformats: console, github, html, json, junit, markdown, prometheus (write FORMAT or FORMAT:PATH)\n"
        ),
    ])
    func mistypedCommandsAndFormatsSayWhatExists(arguments: [String], stderr: String) async throws {
        // No run usage for a mistyped command, no generic "Usage: healthrun <subcommand>" after
        // an unknown format: the message and the list of what exists.
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": "checks:\n  - {name: one, type: tcp, host: 127.0.0.1, port: 9}\n"
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(arguments, in: directory.path)
        #expect(output.exitCode == 2)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr == stderr)
    }

    @Test func listSelectsLikeRunAndWritesJSON() async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": """
            checks:
              - {name: db, type: tcp, host: 127.0.0.1, port: 9, tags: [db]}
              - {name: api, type: http, url: "http://probe:hunter2@127.0.0.1:1/x?key=k", depends_on: [db]}
              - {name: hook, type: http, url: "http://127.0.0.1:1/hooks/${HOOK_TOKEN}/ping"}
              - {name: other, type: tcp, host: 127.0.0.1, port: 9}
            """,
            ".env": "HOOK_TOKEN=tok-canary-98765\n",
        ])
        defer { directory.remove() }
        let only = try await BinaryRunner.run(["list", "--only", "api", "-r", "json:-"], in: directory.path)
        // A secret in a URL's path is masked in the listed target.
        let all = try await BinaryRunner.run(["list", "-r", "json:-"], in: directory.path)
        #expect(all.exitCode == 0, "\(all.stderr)")
        #expect(!all.stdout.contains("tok-canary-98765") && all.stdout.contains("/hooks/"), "\(all.stdout)")
        #expect(only.exitCode == 0, "\(only.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(only.stdout.utf8)) as? [String: Any])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["db", "api"], "api and what it depends on")
        #expect(checks[1]["target"] as? String == "http://127.0.0.1:1/x")
        #expect(checks[1]["depends_on"] as? [String] == ["db"])
        #expect(!only.stdout.contains("hunter2"))
        let tagged = try await BinaryRunner.run(["list", "--tag", "db"], in: directory.path)
        #expect(tagged.stdout.split(separator: "\n").count == 2, "\(tagged.stdout)")
        // validate and list do not offer run-only flags.
        for command in ["validate", "list"] {
            let output = try await BinaryRunner.run([command, "--timeout", "3s"], in: directory.path)
            #expect(output.exitCode == 2)
            #expect(output.stderr.contains("Unknown option '--timeout'"), "\(output.stderr)")
        }
    }

    @Test func aSingleFileIsAChecksDirectoryToo() async throws {
        // Goss and Gatus users pass one file: -d app.yaml.
        let directory = try TemporaryDirectory(files: [
            "app.yaml": "checks:\n  - {name: one, type: tcp, host: 127.0.0.1, port: 9, critical: false}\n"
        ])
        defer { directory.remove() }
        let run = try await BinaryRunner.run(["-d", "app.yaml", "-q", "-r", "json:-"], in: directory.path)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"source\": \"app.yaml:2\""), "\(run.stdout)")
        let validate = try await BinaryRunner.run(["validate", "-d", "app.yaml"], in: directory.path)
        #expect(validate.stdout == "app.yaml: 1 check from 1 file, valid\n", "\(validate.stderr)")
    }

    @Test func listenWithoutAHostMeansEveryInterface() async throws {
        // `--listen :PORT` as Prometheus' --web.listen-address takes it (it was an error).
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": "checks:\n  - {name: one, type: tcp, host: 127.0.0.1, port: 9, critical: false}\n"
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(
            ["serve", "--listen", ":0", "--db", "h.sqlite"], in: directory.path, signal: (.seconds(2), SIGTERM))
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stderr.contains("listening on http://0.0.0.0:"), "\(output.stderr)")
    }

    @Test func oneShotRunsDoNotDemandAlertOnlyVariables() async throws {
        // The shipped telegram.yaml uses TELEGRAM_ALERT_CHAT_ID only under alerting:, which
        // one-shot runs ignore: without .env, run and validate must not fail on it.
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": """
            alerting:
              telegram:
                token: ${ALERT_BOT_TOKEN}
                chat_id: ${ALERT_CHAT_ID}
            defaults:
              alert: {after: 2, channels: [telegram]}
            checks:
              - {name: one, type: tcp, host: 127.0.0.1, port: 9, critical: false, alert: {after: 1}}
            """
        ])
        defer { directory.remove() }
        let run = try await BinaryRunner.run(["-q"], in: directory.path)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let validate = try await BinaryRunner.run(["validate"], in: directory.path)
        #expect(validate.exitCode == 0, "\(validate.stderr)")
        let serve = try await BinaryRunner.run(["validate", "--serve"], in: directory.path)
        #expect(serve.exitCode == 2)
        #expect(serve.stderr.contains("a.yaml:4:14: error: undefined variable 'ALERT_CHAT_ID'"), "\(serve.stderr)")
    }

    @Test func envFileAndChecksDirFromTheEnvironment() async throws {
        let server = try await LoopbackHTTPServer { _ in .text(200, "ok") }
        let directory = try TemporaryDirectory(files: [
            "conf/checks/a.yaml": "checks:\n  - name: a\n    type: http\n    url: ${URL_FROM_FILE}/\n",
            ".env": "URL_FROM_FILE=\(server.baseURL)\n",
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(
            [], in: directory.path, environment: ["HEALTHRUN_CHECKS_DIR": "conf/checks"])
        #expect(output.exitCode == 0, "\(output.stderr)")
    }

    @Test func onlyRunsTheSelectionAndItsDependencies() async throws {
        let server = try await LoopbackHTTPServer { _ in .text(200, "ok") }
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": """
            checks:
              - {name: base, type: http, url: "${U}/base"}
              - {name: api, type: http, url: "${U}/api", depends_on: [base]}
              - {name: other, type: http, url: "${U}/other"}
            """
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(
            ["--only", "api", "-r", "json:-"], in: directory.path, environment: ["U": server.baseURL])
        #expect(output.exitCode == 0)
        let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let names = (json?["checks"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["base", "api"])
        #expect(Set(server.requests.map(\.path)) == ["/base", "/api"])
    }

    @Test func listAndTypes() async throws {
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": "checks:\n  - {name: one, type: tcp, host: 127.0.0.1, port: 9, tags: [t], group: g}\n"
        ])
        defer { directory.remove() }
        let list = try await BinaryRunner.run(["list"], in: directory.path)
        #expect(list.exitCode == 0)
        #expect(list.stdout == "NAME  TYPE  GROUP  TAGS  SOURCE\none   tcp   g      t     checks.d/a.yaml:2\n")
        let types = try await BinaryRunner.run(["types"])
        #expect(types.exitCode == 0)
        for name in [
            "exec", "http", "models", "postgres", "tcp", "telegram",
            "report formats: console, github, html, json, junit, markdown, prometheus",
        ] {
            #expect(types.stdout.contains(name))
        }
    }

    @Test func demoRunsWithoutAnyService() async throws {
        let output = try await BinaryRunner.run(["demo", "--no-color"])
        #expect(output.exitCode == 0, "\(output.stdout)\(output.stderr)")
        #expect(
            output.stdout.contains(
                "group llm (failover): WARN — carried by gigachat-canary (fallback); claude-canary failed"))
        // The proxy's health and model list are green; only the canary sees that it cannot answer.
        #expect(output.stdout.contains("2 models: Claude Sonnet 4.5 (sonnet), Claude Opus 4 (opus)"))
        #expect(
            output.stdout.contains("error event after 200 OK: api_error: upstream request failed: connection refused"))
        #expect(output.stdout.contains("answered \"pong\""))
        #expect(output.stdout.contains("ratelimit_tokens_remaining_ratio 99.8"), "the headroom is shown")
        #expect(output.stdout.contains("balance{service=GigaChat} 84,000 tokens < 100,000"), "the balance is judged")
        #expect(output.stdout.contains("@healthrun_demo_bot (id 123456789)"))
        for secret in ["sk-demo-proxy-0000-1111-2222-3333", "AAdemoTOKENdemoTOKEN"] {
            #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret))
        }
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalCancelsTheRunAndStillWritesReports(signal: Int32, code: Int32) async throws {
        let server = try await LoopbackHTTPServer { _ in .silent }
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml":
                "checks:\n  - {name: hung, type: http, url: \"${U}/\", timeout: 30s}\n  - {name: after, type: http, url: \"${U}/\", depends_on: [hung]}\n"
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(
            ["-r", "json:report.json", "-q"],
            in: directory.path,
            environment: ["U": server.baseURL],
            signal: (.milliseconds(800), signal)
        )
        #expect(output.exitCode == code)
        #expect(output.elapsed < .seconds(5))
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/report.json"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let messages = (json?["checks"] as? [[String: Any]])?.compactMap { $0["message"] as? String }
        #expect(messages == ["run cancelled", "run cancelled"])
    }

    /// A checks.d with one plugin check that writes its PID and ignores SIGTERM.
    private func stubbornPlugin(timeout: String) throws -> (directory: TemporaryDirectory, pid: () throws -> Int32) {
        let directory = try TemporaryDirectory()
        let pidFile = directory.path + "/pid"
        try directory.write(
            "Plugins/stubborn", "#!/bin/sh\necho $$ > \(pidFile)\ntrap '' TERM\nwhile :; do sleep 1; done\n")
        chmod(directory.path + "/Plugins/stubborn", 0o755)
        try directory.write("checks.d/a.yaml", "checks:\n  - {name: s, type: stubborn, timeout: \(timeout)}\n")
        return (
            directory,
            {
                Int32(
                    (try String(contentsOfFile: pidFile, encoding: .utf8))
                        .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            }
        )
    }

    @Test func anInterruptedRunLeavesNoPluginBehind() async throws {
        let (directory, readPID) = try stubbornPlugin(timeout: "30s")
        defer { directory.remove() }
        let output = try await BinaryRunner.run(["-q"], in: directory.path, signal: (.milliseconds(700), SIGINT))
        #expect(output.exitCode == 130)
        let pid = try readPID()
        #expect(pid > 0)
        // Reaped by healthrun before it exited.
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "plugin \(pid) outlived healthrun")
    }

    @Test func aTimedOutPluginThatIgnoresSIGTERMIsGoneWhenTheRunExits() async throws {
        // The check times out at 1 s; the SIGKILL that follows SIGTERM by the grace would come
        // after healthrun exits, so the run itself ends the group before it exits.
        let (directory, readPID) = try stubbornPlugin(timeout: "1s")
        defer { directory.remove() }
        let output = try await BinaryRunner.run(["-q", "-r", "json:-"], in: directory.path)
        #expect(output.exitCode == 1)
        #expect(output.stdout.contains("timed out after 1s"), "\(output.stdout)")
        #expect(output.elapsed < .seconds(3), "at most the grace after the timeout: \(output.elapsed)")
        let pid = try readPID()
        #expect(pid > 0)
        // Reaped by healthrun itself before it exited: not running, not even a zombie.
        #expect(
            !FileManager.default.fileExists(atPath: "/proc/\(pid)"),
            "plugin \(pid) outlived healthrun: \((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "")"
        )
    }

    @Test func secretsNeverReachAnyOutput() async throws {
        let canary = "sk-canary-cli-0123456789abcdefXYZ"
        let server = try await LoopbackHTTPServer { request in
            .json(
                401, #"{"error":{"message":"Incorrect API key provided: \#(request.header("authorization") ?? "")"}}"#)
        }
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml": """
            checks:
              - name: llm
                type: models
                url: ${BASE}/v1/models?key=${LLM_API_KEY}
                api_key: ${LLM_API_KEY}
              - name: h
                type: http
                url: ${BASE}/h
                headers: {Authorization: "Bearer ${LLM_API_KEY}"}
            """
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(
            ["-r", "json:r.json", "-r", "console:c.txt", "--verbose"],
            in: directory.path,
            environment: ["BASE": server.baseURL, "LLM_API_KEY": canary]
        )
        #expect(output.exitCode == 1)
        let files = try ["r.json", "c.txt"].map {
            try String(contentsOfFile: directory.path + "/" + $0, encoding: .utf8)
        }
        for text in [output.stdout, output.stderr] + files {
            #expect(!text.contains(canary))
            #expect(!text.contains("canary-cli-0123"))
        }
        #expect(output.stdout.contains("Incorrect API key provided: Bear…fXYZ"))
    }

    @Test func aHungTLSHandshakeDoesNotHoldTheExit() async throws {
        let blackhole = try await BlackholeServer()
        defer { Task { await blackhole.close() } }
        let directory = try TemporaryDirectory(files: [
            "checks.d/a.yaml":
                "checks:\n  - {name: tls, type: http, url: \"https://127.0.0.1:\(blackhole.port)/\", timeout: 500ms}\n"
        ])
        defer { directory.remove() }
        let output = try await BinaryRunner.run(["-q"], in: directory.path)
        #expect(output.exitCode == 1)
        #expect(output.elapsed < .seconds(2), "exit took \(output.elapsed)")
    }
    // Reports that cannot be written: ReportDeliveryTests (a missing one now exits 2).
}

@Suite struct ExampleChecksTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theShippedChecksDirectoryIsValidWithTheExampleEnvironment() async throws {
        let output = try await BinaryRunner.run(["validate", "--env-file", ".env.example"], in: Self.repository)
        #expect(output.exitCode == 0, "\(output.stderr)")
        #expect(output.stdout == "checks.d: 8 checks in 1 group from 3 files, valid\n")
    }

    @Test func withoutItsVariablesItSaysWhichAreMissing() async throws {
        let output = try await BinaryRunner.run(["validate", "--env-file", "/dev/null"], in: Self.repository)
        #expect(output.exitCode == 2)
        for name in [
            "CLAUDE_CODE_BASE_URL", "CLAUDE_CODE_API_KEY", "GIGACHAT_AUTH_KEY", "DATABASE_URL", "TELEGRAM_BOT_TOKEN",
        ] {
            #expect(output.stderr.contains("error: undefined variable '\(name)'"))
        }
        #expect(!output.stderr.contains("invalid URL"), "no follow-on errors from an undefined variable")
    }
}
