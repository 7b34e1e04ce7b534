import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Testing

/// Loads as `healthrun serve` does, or (`serve: false`) as a one-shot run does.
private func load(
    _ files: [(String, String)], environment: [String: String] = [:], serve: Bool = true
) -> Result<LoadedConfiguration, ConfigurationError> {
    var loader = ConfigLoader(registry: TestCheckers.registry, environment: environment)
    loader.extensions = [serve ? ServeKeys.configExtension : ServeKeys.configExtension.unread]
    do {
        return .success(try loader.load(sources: files.map { ConfigSource(path: $0.0, text: $0.1) }))
    } catch {
        return .failure(error)
    }
}

private func diagnostics(_ files: [(String, String)], environment: [String: String] = [:]) -> [String] {
    switch load(files, environment: environment) {
    case .success: return ["(loaded without errors)"]
    case .failure(let error): return error.diagnostics.map(\.description)
    }
}

/// `interval`, `alert` and `alerting`: the keys only `healthrun serve` reads.
@Suite struct ServeKeysTests {
    @Test func intervalAndAlertComeFromTheCheckOrItsFileDefaults() throws {
        let configuration = try load(
            [
                (
                    "checks.d/a.yaml",
                    """
                    alerting:
                      telegram: {token: "${BOT_TOKEN}", chat_id: "-100123"}
                      webhook: {url: "http://127.0.0.1:9/hook", headers: {Authorization: "Bearer ${HOOK_TOKEN}"}}
                    defaults:
                      interval: 30s
                      alert: {after: 2, channels: [telegram]}
                    checks:
                      - name: a
                        type: scripted
                      - name: b
                        type: scripted
                        interval: 5m
                        alert: {after: 5, resolve_after: 3, remind: 1h, channels: [webhook]}
                    """
                ),
                ("checks.d/b.yaml", "checks:\n  - name: c\n    type: scripted\n"),
            ],
            environment: ["BOT_TOKEN": "123456:AAbotTOKENbotTOKENbotTOKEN", "HOOK_TOKEN": "hook-secret-0123456789"]
        ).get()
        let byName = Dictionary(uniqueKeysWithValues: configuration.checks.map { ($0.name, $0) })
        #expect(byName["a"]?.interval == .seconds(30))
        #expect(byName["a"]?.alert == AlertPolicy(after: 2, resolveAfter: 2, channels: ["telegram"]))
        #expect(byName["b"]?.interval == .seconds(300))
        #expect(
            byName["b"]?.alert == AlertPolicy(after: 5, resolveAfter: 3, channels: ["webhook"], remind: .seconds(3600)))
        #expect(byName["c"]?.interval == nil && byName["c"]?.alert == nil, "defaults are per file")
        let alerting = try #require(configuration.alerting)
        #expect(alerting.telegram?.apiURL == "https://api.telegram.org")
        #expect(alerting.telegram?.chatID == "-100123")
        #expect(alerting.channelNames == ["telegram", "webhook"])
        #expect(
            configuration.redactor.redact("123456:AAbotTOKENbotTOKENbotTOKEN") != "123456:AAbotTOKENbotTOKENbotTOKEN")
        #expect(configuration.redactor.redact("hook-secret-0123456789") != "hook-secret-0123456789")
    }

    @Test func mistakesAreLocated() {
        let found = diagnostics(
            [
                (
                    "checks.d/a.yaml",
                    """
                    alerting:
                      telegram: {token: "t0ken-t0ken", chat_id: "1", api_url: "ftp://x"}
                      slack: {url: "http://127.0.0.1/"}
                    defaults:
                      alert: {aftr: 3}
                    checks:
                      - name: a
                        type: scripted
                        interval: 500ms
                        alert: {after: 0}
                      - name: b
                        type: scripted
                        alert: {channels: [webhook]}
                    """
                ),
                ("checks.d/b.yaml", "alerting:\n  webhook: {url: \"http://127.0.0.1/\"}\n"),
            ])
        #expect(
            found == [
                "checks.d/a.yaml:2:59: error: api_url must start with http:// or https://\n  hint: for example 'api_url: https://api.telegram.org'",
                "checks.d/a.yaml:3:3: error: unknown key 'slack' in 'alerting'\n  hint: valid keys here: telegram, webhook",
                "checks.d/a.yaml:5:11: error: unknown key 'aftr' in 'defaults'\n  hint: did you mean 'after'?",
                "checks.d/a.yaml:9:15: error: interval must be at least 1s\n  hint: for example 'interval: 30s'",
                "checks.d/a.yaml:10:20: error: 'after' must be between 1 and 1000, got 0",
                "checks.d/a.yaml:13:12: error: check 'b' alerts channel 'webhook', which 'alerting:' does not configure\n  hint: add a top-level 'alerting:' with 'webhook:' in one checks.d file",
                "checks.d/b.yaml:2:3: error: 'alerting' is defined in more than one file\n  note: checks.d/a.yaml:2:3: first defined here",
            ], "\(found.joined(separator: "\n---\n"))")
    }

    @Test func aOneShotRunAcceptsServesKeysWithoutReadingThem() throws {
        let file = (
            "checks.d/a.yaml",
            """
            alerting:
              telegram: {token: "${BOT_TOKEN}", chat_id: "1", api_url: "ftp://x"}
            checks:
              - name: a
                type: scripted
                interval: 500ms
                alert: {channels: [pagerduty]}
            """
        )
        let configuration = try load([file], serve: false).get()
        #expect(configuration.checks.first?.settings.isEmpty == true)
        #expect(configuration.alerting == nil)
        #expect(diagnostics([file]).count == 4, "serve reads them: \(diagnostics([file]))")
    }
}
