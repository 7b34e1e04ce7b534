import HealthrunCheckers
import HealthrunCore
import HealthrunServe
import Testing

/// Mistakes in checks.d get the message that leads to the fix, for the built-in types.
@Suite struct ConfigMistakesTests {
    static func diagnostics(_ yaml: String) -> [String] {
        var registry = CheckerRegistry()
        registry.registerNetworkCheckers(http: HTTPClientProvider(concurrency: 1))
        var loader = ConfigLoader(registry: registry, environment: [:])
        // As `healthrun serve` loads: its keys (interval, alert) are decoded too.
        loader.extensions = [ServeKeys.configExtension]
        do {
            _ = try loader.load(sources: [ConfigSource(path: "a.yaml", text: yaml)])
            return ["(loaded)"]
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test(arguments: [
        (
            "    type: http\n    ulr: http://127.0.0.1/\n",
            "a.yaml:4:5: error: unknown key 'ulr' in check 'c'\n  hint: did you mean 'url'?"
        ),
        (
            "    type: tcp\n    hots: 127.0.0.1\n    port: 1\n",
            "a.yaml:4:5: error: unknown key 'hots' in check 'c'\n  hint: did you mean 'host'?"
        ),
        (
            "    type: tcp\n    host: 127.0.0.1\n    prot: 1\n",
            "a.yaml:5:5: error: unknown key 'prot' in check 'c'\n  hint: did you mean 'port'?"
        ),
        (
            "    type: exec\n    comand: [true]\n",
            "a.yaml:4:5: error: unknown key 'comand' in check 'c'\n  hint: did you mean 'command'?"
        ),
    ])
    func aMisspelledRequiredKeyIsNamedAndNotAlsoMissing(fields: String, expected: String) {
        // Before: only "missing required key 'url'" at the check, the typo never mentioned.
        #expect(Self.diagnostics("checks:\n  - name: c\n" + fields) == [expected])
    }

    @Test func aCheckWithSeveralBadFieldsGetsEveryError() {
        let found = Self.diagnostics(
            """
            checks:
              - name: many
                type: http
                url: http://127.0.0.1:1/
                timeout: 500
                expect: {status: 999, body_regex: "([a-z"}
                max_body: lots
            """)
        #expect(
            found == [
                "a.yaml:5:14: error: duration '500' has no unit\n  hint: add a unit, for example '500ms'",
                "a.yaml:6:22: error: invalid status '999'\n  hint: write a status such as 200, a list such as [200, 204], or a class such as \"2xx\"",
                "a.yaml:6:39: error: invalid body_regex '([a-z': expected ']'\n  hint: body_regex is an ICU regular expression; escape literal characters such as ( [ . with \\",
                "a.yaml:7:15: error: invalid size 'lots'\n  hint: write a number of bytes or a size like 64KiB, 1MiB",
            ], "\(found)")
    }

    @Test(arguments: [
        ("timeout", "500", "500ms"), ("warn_latency", "800", "800ms"), ("timeout", "3", "3s"),
        ("interval", "30", "30s"),
    ])
    func aBareNumberDurationHintsTheLikelyUnit(key: String, value: String, hint: String) {
        let found = Self.diagnostics(
            "checks:\n  - name: c\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n    \(key): \(value)\n")
        #expect(found.first?.hasSuffix("hint: add a unit, for example '\(hint)'") == true, "\(found)")
    }

    @Test func aTabAtTheStartOfALineGetsTheSpacesHint() {
        let found = Self.diagnostics("checks:\n\t- name: c\n")
        #expect(found.first?.contains("hint: indent with spaces; YAML does not allow tabs") == true, "\(found)")
    }

    @Test func anUnknownAlertChannelListsTheSupportedOnes() {
        let found = Self.diagnostics(
            "checks:\n  - name: c\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n    alert: {channels: [pagerduty]}\n"
        )
        #expect(
            found == [
                "a.yaml:6:12: error: check 'c' alerts channel 'pagerduty', which healthrun does not have\n  hint: supported channels: telegram, webhook"
            ])
    }
}
