import Foundation
import HealthrunTesting
import Testing

/// One canary in every credential field of every checker type, servers that echo what they get,
/// every report format and debug logs: no byte of any output may carry it in any form.
@Suite struct SecretSweepTests {
    static let canary = "cAnary-Sw33t/Pl+us&Amp-2026x"
    static let literal = "literal-canary-K9x2mQ7wZ4ab"

    /// Forms a secret takes in URLs, JSON, HTML, headers; and every run of 9 of its characters.
    static func forms(of secret: String) -> [String] {
        var forms = [
            secret,
            secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
            secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!,
            secret.replacingOccurrences(of: "/", with: "\\/"),
            secret.replacingOccurrences(of: "&", with: "&amp;"),
            Data(secret.utf8).base64EncodedString(),
        ]
        let characters = Array(secret)
        for start in 0...(characters.count - 9) { forms.append(String(characters[start..<start + 9])) }
        return forms
    }

    @Test func noOutputCarriesAnyFormOfASecret() async throws {
        let echo = try await LoopbackHTTPServer { request in
            let everything =
                request.target + " " + request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: " ") + " "
                + request.bodyText
            if request.path.hasPrefix("/redirect") {
                return .redirect(to: "http://127.0.0.1:1/\(request.target)")
            }
            return .json(
                401,
                #"{"error":{"message":"rejected: \#(everything.replacingOccurrences(of: "\"", with: "'"))"},"description":"\#(request.path)"}"#
            )
        }
        defer { Task { await echo.close() } }
        let refused = try await refusedPort()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("Plugins/leaky", "#!/bin/sh\ncat\necho \"env: $LEAK_TOKEN\"\nexit 2\n")
        chmod(directory.path + "/Plugins/leaky", 0o755)
        let base = echo.baseURL
        try directory.write(
            "checks.d/sweep.yaml",
            """
            checks:
              - {name: http-query, type: http, url: "\(base)/h?key=${SWEEP_SECRET}", headers: {Authorization: "Bearer ${SWEEP_SECRET}", X-Api-Key: "\(Self.literal)"}}
              - {name: http-redirect, type: http, url: "\(base)/redirect/${SWEEP_SECRET}"}
              - {name: models-generic, type: models, url: "\(base)/v1/models", api_key: "\(Self.literal)"}
              - {name: models-openai, type: models, provider: openai, url: "\(base)/v1/models", api_key: "${SWEEP_SECRET}"}
              - {name: models-anthropic, type: models, provider: anthropic, url: "\(base)/v1/models", api_key: "${SWEEP_SECRET}"}
              - {name: models-gigachat, type: models, provider: gigachat, url: "\(base)/m", token_url: "\(base)/oauth", auth_key: "${SWEEP_SECRET}"}
              - {name: models-basic, type: models, url: "\(base)/v1/models", auth: {basic: {username: u, password: "${SWEEP_SECRET}"}}}
              - {name: models-header, type: models, url: "\(base)/v1/models", auth: {header: {name: X-Custom, value: "\(Self.literal)"}}}
              - {name: models-oauth2, type: models, url: "\(base)/v1/models", auth: {oauth2: {token_url: "\(base)/token", authorization: "${SWEEP_SECRET}"}}}
              - {name: telegram-echo, type: telegram, token: "${SWEEP_SECRET}", api_url: "\(base)"}
              - {name: telegram-refused, type: telegram, token: "\(Self.literal)", api_url: "http://127.0.0.1:\(refused)"}
              - {name: postgres-dsn, type: postgres, dsn: "postgresql://u:${SWEEP_SECRET_ENCODED}@127.0.0.1:\(refused)/db"}
              - {name: postgres-keywords, type: postgres, dsn: "host=127.0.0.1 port=\(refused) user=u password='${SWEEP_SECRET}'"}
              - {name: postgres-field, type: postgres, host: 127.0.0.1, port: \(refused), user: u, password: "\(Self.literal)"}
              - {name: plugin-fields, type: leaky, password: "\(Self.literal)", url: "\(base)/?t=${SWEEP_SECRET}"}
              - {name: exec-env, type: exec, command: [/bin/sh, -c, "echo $LEAK_TOKEN; exit 2"], env: {LEAK_TOKEN: "${SWEEP_SECRET}"}}
              - {name: completion-anthropic, type: completion, provider: anthropic, url: "\(base)/v1/messages", api_key: "${SWEEP_SECRET}", model: m}
              - {name: completion-openai, type: completion, provider: openai, url: "\(base)/v1/chat/completions", api_key: "\(Self.literal)", model: m}
              - {name: completion-gigachat, type: completion, provider: gigachat, url: "\(base)/c", token_url: "\(base)/oauth", auth_key: "${SWEEP_SECRET}", model: m}
              - {name: completion-bearer, type: completion, provider: anthropic, url: "\(base)/v1/messages", auth: {bearer: "${SWEEP_SECRET}"}, model: m}
              - {name: usage-anthropic, type: usage, provider: anthropic, url: "\(base)", api_key: "${SWEEP_SECRET}"}
              - {name: usage-openai, type: usage, provider: openai, url: "\(base)", api_key: "\(Self.literal)"}
              - {name: usage-gigachat, type: usage, provider: gigachat, url: "\(base)", token_url: "\(base)/oauth", auth_key: "${SWEEP_SECRET}"}
              - {name: usage-openrouter, type: usage, provider: openrouter, url: "\(base)", api_key: "${SWEEP_SECRET}"}
            """
        )
        let reports = ["json", "html", "junit", "prometheus", "markdown", "github", "console"]
        var arguments = ["--verbose", "--no-color"]
        for format in reports { arguments += ["-r", "\(format):out/\(format).txt"] }
        try FileManager.default.createDirectory(atPath: directory.path + "/out", withIntermediateDirectories: true)
        let output = try await BinaryRunner.run(
            arguments,
            in: directory.path,
            environment: [
                "SWEEP_SECRET": Self.canary,
                "SWEEP_SECRET_ENCODED": Self.canary.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": directory.path + "/out/summary.md",
            ]
        )
        #expect(output.exitCode == 1)
        var outputs = ["stdout": output.stdout, "stderr": output.stderr]
        for format in reports + ["summary"] {
            let name = format == "summary" ? "summary.md" : "\(format).txt"
            outputs[name] = try String(contentsOfFile: directory.path + "/out/" + name, encoding: .utf8)
        }
        #expect(output.stderr.contains("attempt finished"), "debug logs were written")
        #expect(outputs["json.txt"]?.contains("rejected: ") == true, "the echo server's answers reached the reports")
        for (name, text) in outputs {
            for secret in [Self.canary, Self.literal] {
                for form in Self.forms(of: secret) {
                    guard let range = text.range(of: form) else { continue }
                    let start =
                        text.index(range.lowerBound, offsetBy: -60, limitedBy: text.startIndex) ?? text.startIndex
                    let context = String(text[start..<range.upperBound])
                    Issue.record("\(name) contains '\(form)' of a secret: …\(context)")
                }
            }
        }
    }
}
