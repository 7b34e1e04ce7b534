import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct ConfigLoaderTests {
    @Test func loadsChecksWithDefaultsGroupsAndInterpolation() throws {
        let result = load(
            [
                (
                    "checks.d/llm.yaml",
                    """
                    defaults:
                      timeout: 3s
                      retries: 1
                      tags: [llm]
                    groups:
                      - name: llm
                        policy: any
                    checks:
                      - name: primary
                        type: scripted
                        outcomes: ["ok: ${GREETING}"]
                        group: llm
                        tags: [primary]
                      - name: fallback
                        type: scripted
                        timeout: 250ms
                        critical: false
                        group: llm
                        depends_on: [primary]
                        warn_latency: 100ms
                    """
                )
            ],
            environment: ["GREETING": "hello"]
        )
        let configuration = try result.get()
        #expect(configuration.checks.map(\.name) == ["primary", "fallback"])
        let primary = configuration.checks[0]
        #expect(primary.timeout == .seconds(3))
        #expect(primary.retries == 1)
        #expect(primary.tags == ["llm", "primary"])
        #expect(primary.critical)
        #expect(primary.source.description == "checks.d/llm.yaml:9:5")
        let fallback = configuration.checks[1]
        #expect(fallback.timeout == .milliseconds(250))
        #expect(fallback.dependsOn == ["primary"])
        #expect(!fallback.critical)
        #expect(fallback.warnLatency == .milliseconds(100))
        #expect(
            configuration.groups == [
                GroupDefinition(
                    name: "llm", policy: .any, critical: true, members: ["primary", "fallback"],
                    source: SourceLocation(file: "checks.d/llm.yaml", line: 6, column: 11))
            ])
    }

    @Test func unknownKeySuggestsTheNearest() {
        #expect(
            diagnostics([
                (
                    "checks.d/llm.yaml",
                    """
                    checks:
                      - name: claude-code-health
                        type: scripted
                        timout: 3s
                    """
                )
            ]) == [
                "checks.d/llm.yaml:4:5: error: unknown key 'timout' in check 'claude-code-health'\n  hint: did you mean 'timeout'?"
            ]
        )
    }

    @Test func unknownKeyOfTheCheckerTypeAndNested() {
        let found = diagnostics([
            (
                "a.yaml",
                """
                checks:
                  - name: a
                    type: scripted
                    outcome: [ok]
                    delay: 1s
                """
            )
        ])
        #expect(found == ["a.yaml:4:5: error: unknown key 'outcome' in check 'a'\n  hint: did you mean 'outcomes'?"])
    }

    @Test func unknownTypeListsTheKnownOnes() {
        #expect(
            diagnostics([("a.yaml", "checks:\n  - name: a\n    type: scriptd\n")]) == [
                "a.yaml:3:11: error: unknown check type 'scriptd' in check 'a'\n  hint: did you mean 'scripted'?\n  note: known types: blocking, runaway, scripted (or an executable plugin of that name)"
            ]
        )
    }

    @Test func duplicateNamesAcrossFilesNameBothPlaces() {
        #expect(
            diagnostics([
                ("checks.d/app.yaml", "checks:\n  - name: postgres\n    type: scripted\n"),
                (
                    "checks.d/db.yaml",
                    "checks:\n  - name: web\n    type: scripted\n  - name: postgres\n    type: scripted\n"
                ),
            ]) == [
                "checks.d/db.yaml:4:11: error: duplicate check name 'postgres'\n  note: checks.d/app.yaml:2:11: first defined here"
            ]
        )
    }

    @Test func badDurationsAndUndefinedVariablesAreLocated() {
        let found = diagnostics([
            (
                "a.yaml",
                """
                checks:
                  - name: a
                    type: scripted
                    timeout: 5 sex
                    outcomes: ["ok: ${MISSING_VAR}"]
                  - name: b
                    type: scripted
                    timeout: 3
                """
            )
        ])
        #expect(
            found == [
                "a.yaml:4:14: error: invalid duration '5 sex': unknown unit 'sex'\n  hint: write a number with a unit: ms, s, m or h (for example 250ms, 3s, 1m30s)",
                "a.yaml:5:21: error: undefined variable 'MISSING_VAR'\n  hint: set MISSING_VAR in the environment or the env file, or give a default: ${MISSING_VAR:-value}",
                "a.yaml:8:14: error: duration '3' has no unit\n  hint: add a unit, for example '3s'",
            ]
        )
    }

    @Test func dependenciesMustExistAndNotCycle() {
        let found = diagnostics([
            (
                "deps.yaml",
                """
                checks:
                  - name: a
                    type: scripted
                    depends_on: [b]
                  - name: b
                    type: scripted
                    depends_on: [c, netwrk]
                  - name: c
                    type: scripted
                    depends_on: [a]
                  - name: network
                    type: scripted
                """
            )
        ])
        #expect(
            found == [
                "deps.yaml:4:18: error: dependency cycle: a → b → c → a\n  hint: remove one of these depends_on entries",
                "deps.yaml:7:21: error: check 'b' depends on 'netwrk', which is not defined\n  hint: did you mean 'network'?",
            ]
        )
    }

    @Test func groupsNeedMembersAndKnownPolicies() {
        let found = diagnostics([
            (
                "g.yaml",
                """
                groups:
                  - name: empty
                  - name: llm
                    policy: anyy
                checks:
                  - name: a
                    type: scripted
                    group: llm
                """
            )
        ])
        #expect(
            found == [
                "g.yaml:2:11: error: group 'empty' has no members\n  hint: set 'group: empty' on its checks, or remove the group",
                "g.yaml:4:13: error: unknown group policy 'anyy'\n  hint: did you mean 'any'?",
            ]
        )
    }

    @Test func yamlSyntaxErrorsAreLocated() {
        let found = diagnostics([("bad.yaml", "checks:\n  - name: a\n    type: [scripted\n")])
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("bad.yaml:4:1: error: invalid YAML: "))
    }

    @Test func duplicateYAMLKeysAreNamed() {
        let found = diagnostics([("dup.yaml", "checks:\n  - name: a\n    type: scripted\n    type: runaway\n")])
        #expect(
            found == [
                "dup.yaml:4:5: error: duplicate key 'type'\n  hint: each key may appear once in a mapping; remove or rename one\n  note: dup.yaml:3:5: first defined here"
            ])
    }

    @Test func missingNameAndTypeAndBadNames() {
        let found = diagnostics([
            (
                "n.yaml",
                """
                checks:
                  - type: scripted
                  - name: has space
                    type: scripted
                  - name: untyped
                  - name: ".."
                    type: scripted
                """
            )
        ])
        let hint = "names use letters, digits, '.', '_' and '-' (not only dots), like 'claude-code-health'"
        #expect(
            found == [
                "n.yaml:2:5: error: check has no 'name'\n  hint: add 'name: my-service' (\(hint))",
                "n.yaml:3:11: error: invalid check name 'has space'\n  hint: \(hint)",
                "n.yaml:5:5: error: check 'untyped' has no 'type'\n  hint: add 'type: …', one of: blocking, runaway, scripted",
                "n.yaml:6:11: error: invalid check name '..'\n  hint: \(hint)",
            ]
        )
    }

    @Test func everyErrorOfEveryFileIsReportedTogether() throws {
        let directory = try TemporaryDirectory(files: [
            "one.yaml": "checks:\n  - name: a\n    type: nope\n",
            "two.yaml": "checks:\n  - name: b\n    type: scripted\n    retries: many\n",
            ".hidden.yaml": "this is: [not valid",
            "notes.txt": "ignored",
        ])
        defer { directory.remove() }
        let loader = ConfigLoader(registry: TestCheckers.registry, environment: [:])
        #expect(throws: ConfigurationError.self) { try loader.load(directory: directory.path) }
        do {
            _ = try loader.load(directory: directory.path)
        } catch {
            #expect(error.diagnostics.count == 2)
            #expect(error.diagnostics[0].location?.file.hasSuffix("one.yaml") == true)
            #expect(error.diagnostics[1].message == "expected a whole number, found 'many'")
            #expect(error.description.hasSuffix("healthrun: 2 errors in 2 files; nothing was run"))
        }
    }

    @Test func missingOrEmptyDirectoriesAreErrors() throws {
        let loader = ConfigLoader(registry: TestCheckers.registry, environment: [:])
        do {
            _ = try loader.load(directory: "/nonexistent/checks.d")
            Issue.record("loaded a missing directory")
        } catch {
            #expect(error.diagnostics.first?.message == "checks directory '/nonexistent/checks.d' does not exist")
        }
        let empty = try TemporaryDirectory()
        defer { empty.remove() }
        do {
            _ = try loader.load(directory: empty.path)
            Issue.record("loaded an empty directory")
        } catch {
            #expect(error.diagnostics.first?.message == "no check files in '\(empty.path)'")
        }
    }

    @Test func aDirectoryNamedLikeAFileIsAnError() throws {
        let directory = try TemporaryDirectory(files: [
            "x.yaml/inner.txt": "", "ok.yaml": "checks:\n  - name: a\n    type: scripted\n",
        ])
        defer { directory.remove() }
        let loader = ConfigLoader(registry: TestCheckers.registry, environment: [:])
        do {
            _ = try loader.load(directory: directory.path)
            Issue.record("loaded a directory named x.yaml")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["'\(directory.path)/x.yaml' is a directory, not a YAML file"])
        }
    }

    @Test func aliasBombsStopWithAnError() {
        var yaml = "x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 {
            yaml +=
                "x-a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        yaml += "checks:\n  - name: a\n    type: scripted\n    details: {bomb: *a8}\n"
        let found = diagnostics([("bomb.yaml", yaml)])
        #expect(found.contains { $0.contains("document expands to more than") }, "\(found)")
    }

    @Test func secretNamedVariablesAreRegistered() throws {
        let configuration = try load(
            [("s.yaml", "checks:\n  - name: a\n    type: scripted\n    outcomes: [\"ok: key is ${API_KEY}\"]\n")],
            environment: ["API_KEY": "sk-live-0123456789abcdef"]
        ).get()
        #expect(configuration.redactor.redact("leak sk-live-0123456789abcdef") == "leak sk-l…cdef")
    }
}

@Suite struct ConfigDiagnosticsRedactionTests {
    @Test func diagnosticsQuotingASecretMaskIt() {
        let found = diagnostics(
            [
                (
                    "s.yaml",
                    "checks:\n  - name: a\n    type: scripted\n    secret: ${API_TOKEN}\n    outcomes: [\"${API_TOKEN}\"]\n"
                )
            ],
            environment: ["API_TOKEN": "tok-canary-0123456789"]
        )
        #expect(
            found == ["s.yaml:5:15: error: invalid outcome 'tok-…6789'\n  hint: write ok, warn: text or fail: text"])
    }
}

/// The core owns no key of serve's: without a module registering them, they are unknown.
@Suite struct ConfigExtensionTests {
    @Test func aKeyNoModuleRegisteredIsUnknown() {
        let found = diagnostics([
            (
                "checks.d/a.yaml",
                "alerting: {}\ncheck: []\nchecks:\n  - name: a\n    type: scripted\n    interval: 30s\n"
            )
        ])
        #expect(
            found.contains { $0.hasPrefix("checks.d/a.yaml:1:1: error: unknown key 'alerting' at the top of the file") }
        )
        #expect(found.contains { $0.hasPrefix("checks.d/a.yaml:6:5: error: unknown key 'interval' in check 'a'") })
    }

    @Test func aRegisteredKeyIsDecodedLocatedAndInheritedFromDefaults() throws {
        struct Color: Decodable, Sendable, Equatable {
            var name: String
            init(from decoder: any Decoder) throws {
                name = try String(from: decoder)
                guard ["red", "green"].contains(name) else {
                    throw ConfigValueError(
                        "color must be red or green, got '\(name)'", hint: "for example 'color: red'")
                }
            }
        }
        let color = ConfigKey<Color>("color")
        let shade = ConfigKey<Int>("shade")
        var palette = ConfigExtension(owner: "palette")
        palette.addCheckKeys([.init(color)])
        palette.addSection("palette", fields: [.init(shade)])
        var loader = ConfigLoader(registry: TestCheckers.registry, environment: [:])
        loader.extensions = [palette]
        let text = """
            palette: {shade: 3}
            defaults: {color: green}
            checks:
              - {name: a, type: scripted}
              - {name: b, type: scripted, color: red}
            """
        let configuration = try loader.load(sources: [ConfigSource(path: "a.yaml", text: text)])
        #expect(configuration.checks.map { $0[color]?.name } == ["green", "red"])
        #expect(
            configuration.checks.map { $0.settings.location(of: color)?.description } == ["a.yaml:4:5", "a.yaml:5:38"])
        #expect(configuration.sections["palette"]?[shade] == 3)
        do {
            _ = try loader.load(sources: [ConfigSource(path: "a.yaml", text: String(text.dropLast(4)) + "blue}")])
            Issue.record("blue loaded")
        } catch {
            #expect(
                error.diagnostics.map(\.description) == [
                    "a.yaml:5:38: error: color must be red or green, got 'blue'\n  hint: for example 'color: red'"
                ])
        }
    }
}
