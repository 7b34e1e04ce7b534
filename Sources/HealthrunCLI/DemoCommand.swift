import ArgumentParser
import Foundation
import HealthrunCore
import HealthrunDemo

/// `healthrun demo`: a sandbox on loopback that imitates the services of the admin panel
/// healthrun came from, and a bundled check set run against it. Needs no service, no network.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run a bundled check set against a loopback sandbox (LLM proxy, OpenAI, Anthropic, GigaChat, Telegram).",
        discussion:
            "The sandbox's proxy answers /health and lists models while its completions fail: the canary catches it, and GigaChat's canary carries the 'llm' group."
    )

    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Print the bundled checks.d files and exit.")
    var showConfig = false

    func run() async throws {
        if showConfig {
            for source in DemoChecks.sources { print("# \(source.path)\n\(source.text)") }
            return
        }
        let session = Session(concurrency: 64)
        try output.validateFormats(session.reporters)
        let sandbox = try await DemoSandbox.start()
        let loader = ConfigLoader(
            registry: session.checkers, environment: sandbox.environment, defaultTimeout: .seconds(5))
        let configuration: LoadedConfiguration
        do {
            configuration = try loader.load(sources: DemoChecks.sources)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let outcome = await RunExecution.run(
            configuration,
            selection: Selection(),
            concurrency: 64,
            session: session,
            output: output.settings
        )
        await sandbox.stop()
        throw ExitCode(outcome)
    }
}

/// The sandbox's servers and the variables that point the demo checks at them.
struct DemoSandbox {
    let servers: [LoopbackHTTPServer]
    let environment: [String: String]

    static func start() async throws -> DemoSandbox {
        // Made-up credentials: the sandbox checks them the way the real services would.
        let proxyKey = "sk-demo-proxy-0000-1111-2222-3333"
        let openAIKey = "sk-demo-openai-aaaa-bbbb-cccc-dddd"
        let anthropicKey = "sk-ant-demo-eeee-ffff-0000-1111"
        let gigaChatKey = Data("demo-client-id:demo-client-secret".utf8).base64EncodedString()
        let botToken = "123456789:AAdemoTOKENdemoTOKENdemoTOKENdemo12"
        let proxy = try await LoopbackHTTPServer(
            handler: ProviderImitations.llmProxy(apiKey: proxyKey, inferenceBroken: true))
        let openAI = try await LoopbackHTTPServer(handler: ProviderImitations.openAI(apiKey: openAIKey))
        let anthropic = try await LoopbackHTTPServer(
            handler: ProviderImitations.anthropic(
                apiKey: anthropicKey,
                models: [
                    ("claude-sonnet-4-5", "Claude Sonnet 4.5"), ("claude-opus-4", "Claude Opus 4"),
                    ("claude-haiku-4-5", "Claude Haiku 4.5"),
                ],
                pageLimit: 2
            )
        )
        let gigaChat = try await LoopbackHTTPServer(handler: ProviderImitations.gigaChat(authKey: gigaChatKey))
        let telegram = try await LoopbackHTTPServer(
            handler: ProviderImitations.telegram(token: botToken, pendingUpdates: 2))
        return DemoSandbox(
            servers: [proxy, openAI, anthropic, gigaChat, telegram],
            environment: [
                "DEMO_PROXY_URL": proxy.baseURL,
                "DEMO_PROXY_PORT": String(proxy.port),
                "DEMO_PROXY_API_KEY": proxyKey,
                "DEMO_OPENAI_URL": openAI.baseURL,
                "DEMO_OPENAI_API_KEY": openAIKey,
                "DEMO_ANTHROPIC_URL": anthropic.baseURL,
                "DEMO_ANTHROPIC_API_KEY": anthropicKey,
                "DEMO_GIGACHAT_URL": gigaChat.baseURL,
                "DEMO_GIGACHAT_AUTH_KEY": gigaChatKey,
                "DEMO_TELEGRAM_API_URL": telegram.baseURL,
                "DEMO_TELEGRAM_BOT_TOKEN": botToken,
            ]
        )
    }

    func stop() async {
        for server in servers { await server.close() }
    }
}

/// The demo's checks.d, bundled.
enum DemoChecks {
    static let sources = [
        ConfigSource(
            path: "demo/llm.yaml",
            text: """
                # The primary LLM proxy, with GigaChat as the fallback used only when it is down.
                # The proxy's /health and model list are static: only a completion shows
                # whether the model answers.
                groups:
                  - name: llm
                    policy: failover

                checks:
                  - name: claude-code-health
                    type: http
                    url: ${DEMO_PROXY_URL}/health
                    timeout: 2s
                    tags: [llm]
                    expect:
                      status: 200
                      json: {"$.status": ok}

                  - name: claude-code-models
                    type: models
                    url: ${DEMO_PROXY_URL}/v1/models
                    api_key: ${DEMO_PROXY_API_KEY}
                    tags: [llm]
                    depends_on: [claude-code-health]
                    expect:
                      models: [sonnet, opus]

                  - name: claude-canary
                    type: completion
                    provider: anthropic
                    url: ${DEMO_PROXY_URL}/v1/messages
                    auth: {bearer: "${DEMO_PROXY_API_KEY}"}
                    model: sonnet
                    group: llm
                    tags: [llm]
                    depends_on: [claude-code-health]

                  - name: gigachat-canary
                    type: completion
                    provider: gigachat
                    url: ${DEMO_GIGACHAT_URL}/api/v1/chat/completions
                    token_url: ${DEMO_GIGACHAT_URL}/api/v2/oauth
                    auth_key: ${DEMO_GIGACHAT_AUTH_KEY}
                    model: GigaChat
                    group: llm
                    tags: [llm]

                  - name: gigachat-balance
                    type: usage
                    provider: gigachat
                    url: ${DEMO_GIGACHAT_URL}
                    token_url: ${DEMO_GIGACHAT_URL}/api/v2/oauth
                    auth_key: ${DEMO_GIGACHAT_AUTH_KEY}
                    critical: false
                    tags: [llm]
                    thresholds:
                      - {metric: balance, labels: {service: GigaChat}, warn_below: 100000}

                  - name: openai-canary
                    type: completion
                    provider: openai
                    url: ${DEMO_OPENAI_URL}/v1/chat/completions
                    api_key: ${DEMO_OPENAI_API_KEY}
                    model: gpt-4o-mini
                    critical: false
                    tags: [llm]
                    thresholds:
                      - {metric: ratelimit_tokens_remaining_ratio, warn_below: 0.1}

                  - name: openai-models
                    type: models
                    provider: openai
                    url: ${DEMO_OPENAI_URL}/v1/models
                    api_key: ${DEMO_OPENAI_API_KEY}
                    critical: false
                    tags: [llm]

                  - name: anthropic-models
                    type: models
                    provider: anthropic
                    url: ${DEMO_ANTHROPIC_URL}/v1/models
                    api_key: ${DEMO_ANTHROPIC_API_KEY}
                    critical: false
                    tags: [llm]
                    expect:
                      models: [claude-haiku-4-5]
                """
        ),
        ConfigSource(
            path: "demo/telegram.yaml",
            text: """
                checks:
                  - name: telegram-bot
                    type: telegram
                    token: ${DEMO_TELEGRAM_BOT_TOKEN}
                    api_url: ${DEMO_TELEGRAM_API_URL}
                    timeout: 2s
                    expect:
                      username: healthrun_demo_bot
                    webhook:
                      max_pending: 10
                      max_error_age: 1h

                  - name: proxy-port
                    type: tcp
                    host: 127.0.0.1
                    port: ${DEMO_PROXY_PORT}
                    timeout: 1s
                    warn_latency: 500ms
                """
        ),
    ]
}
