import Foundation
public import HealthrunCore

extension CheckerRegistry {
    /// Registers the network checker types of this module, sharing `http` for one run.
    public mutating func registerNetworkCheckers(http: HTTPClientProvider) {
        register(HTTPChecker.self, summary: "an HTTP(S) request judged by status, body, JSON and headers") {
            try HTTPChecker(configuration: $0, provider: http)
        }
        register(ModelsChecker.self, summary: "an authenticated model listing (OpenAI, Anthropic, GigaChat, generic)") {
            try ModelsChecker(configuration: $0, provider: http)
        }
        register(
            CompletionChecker.self,
            summary: "an inference canary: a one-word completion, streamed (Anthropic, OpenAI, GigaChat)"
        ) {
            try CompletionChecker(configuration: $0, provider: http)
        }
        register(
            UsageChecker.self,
            summary: "tokens, cost and balance from an LLM provider (Anthropic, OpenAI, GigaChat, OpenRouter)"
        ) {
            try UsageChecker(configuration: $0, provider: http)
        }
        register(TelegramChecker.self, summary: "a Telegram bot's getMe (and webhook health)") {
            try TelegramChecker(configuration: $0, provider: http)
        }
        register(TCPChecker.self, summary: "a TCP connect") { try TCPChecker(configuration: $0) }
        register(
            ExecChecker.self,
            summary: "a command, read as JSON or as a Nagios plugin (exit 1 is WARN; exit_codes: zero_ok makes it FAIL)"
        ) {
            try ExecChecker(configuration: $0)
        }
    }

    /// Resolves unknown `type:` names to executable plugins in `directory`.
    public mutating func registerPlugins(in directory: PluginDirectory) {
        fallback = { directory.factory(for: $0) }
        fallbackNames = { directory.plugins().map(\.name) }
        let exists = FileManager.default.fileExists(atPath: directory.path)
        fallbackSearched =
            "searched the plugins directory '\(directory.path)'\(exists ? "" : " (it does not exist)"); "
            + "set it with --plugins-dir or $HEALTHRUN_PLUGINS_DIR (default ./Plugins)"
    }
}
