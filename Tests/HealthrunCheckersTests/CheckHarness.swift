import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunReporters
import HealthrunServe
import HealthrunTesting
import Testing

/// Runs checks.d text through the real loader, registry and engine, as the CLI would.
struct CheckHarness {
    struct Run {
        var report: RunReport
        var elapsed: Duration
        var result: CheckResult { report.checks[0] }
        /// Every byte a person or CI could see: console and JSON renderings.
        var allOutput: String {
            let console = (try? ConsoleReporter().render(report, options: RenderOptions())) ?? []
            let json = (try? JSONReporter().render(report, options: RenderOptions())) ?? []
            return String(decoding: console + json, as: UTF8.self)
        }
    }

    static func run(
        _ yaml: String,
        environment: [String: String] = [:],
        concurrency: Int = 64,
        plugins: String? = nil
    ) async throws -> Run {
        let http = HTTPClientProvider(concurrency: concurrency)
        var registry = CheckerRegistry()
        registry.registerNetworkCheckers(http: http)
        if let plugins { registry.registerPlugins(in: PluginDirectory(path: plugins)) }
        var loader = ConfigLoader(registry: registry, environment: environment)
        loader.extensions = [ServeKeys.configExtension]
        let configuration = try loader.load(sources: [ConfigSource(path: "test.yaml", text: yaml)])
        let start = ContinuousClock.now
        // As the CLI runs them: checkers that never block on the event loops their I/O uses.
        var engine = Engine(concurrency: concurrency)
        engine.nonBlockingExecutors = EventLoopExecutor.forSharedEventLoops
        let report = await engine.run(configuration)
        let elapsed = start.duration(to: .now)
        await http.shutdown()
        return Run(report: report, elapsed: elapsed)
    }

    /// One check of `type` with `fields` (YAML lines, indented by the caller's choice).
    static func check(_ type: String, timeout: String = "2s", _ fields: String) -> String {
        "checks:\n  - name: probe\n    type: \(type)\n    timeout: \(timeout)\n"
            + fields.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
    }
}
