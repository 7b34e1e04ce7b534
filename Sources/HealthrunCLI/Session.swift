import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunPostgres
import HealthrunReporters
import HealthrunServe

/// The registries and shared resources of one command invocation.
struct Session {
    let checkers: CheckerRegistry
    let reporters: ReporterRegistry
    let http: HTTPClientProvider
    let tool: RunReport.Tool

    init(concurrency: Int, pluginsDirectory: String? = nil) {
        let toolkit = Toolkit.current
        http = HTTPClientProvider(concurrency: concurrency)
        var checkers = CheckerRegistry()
        checkers.registerNetworkCheckers(http: http)
        checkers.registerPostgres()
        if let pluginsDirectory { checkers.registerPlugins(in: PluginDirectory(path: pluginsDirectory)) }
        var reporters = ReporterRegistry.builtin
        toolkit.customize(&checkers, &reporters)
        self.checkers = checkers
        self.reporters = reporters
        tool = toolkit.tool
    }

    /// Loads the env file and checks.d, throwing the diagnostics (for `serve`'s reload).
    /// `serve`: decode serve's keys, `interval:`, `alert:` and `alerting:` (serve and
    /// `validate --serve`); one-shot commands accept them unread.
    func tryLoad(
        _ options: ChecksLocation, defaultTimeout: Duration = .seconds(10), serve: Bool = false
    ) throws(ConfigurationError) -> LoadedConfiguration {
        let (environment, envDiagnostics) = EnvironmentLoader.load(
            processEnvironment: ProcessEnvironment.values,
            envFile: options.envFile
        )
        if !envDiagnostics.isEmpty { throw ConfigurationError(envDiagnostics) }
        var loader = ConfigLoader(registry: checkers, environment: environment, defaultTimeout: defaultTimeout)
        loader.extensions = [serve ? ServeKeys.configExtension : ServeKeys.configExtension.unread]
        return try loader.load(directory: options.directory)
    }

    /// What another user could change in the files that decide what runs: checks.d's files, the
    /// env file and the plugins (see ``FileTrust``); one line each.
    func untrustedFiles(_ options: ChecksLocation) -> [String] {
        let (sources, _) = ConfigSource.read(directory: options.directory)
        var problems = FileTrust.problems(sources.map(\.path), role: "a checks.d file")
        let envFile = options.envFile ?? ".env"
        if FileManager.default.fileExists(atPath: envFile) {
            problems += FileTrust.problems([envFile], role: "the env file")
        }
        let plugins = PluginDirectory(path: options.plugins).plugins().filter(\.isExecutable).map(\.path)
        problems += FileTrust.problems(plugins, role: "a plugin")
        return problems
    }

    /// Loads the env file and checks.d; on any problem prints the diagnostics and exits 2.
    func load(
        _ options: ChecksLocation, defaultTimeout: Duration = .seconds(10), serve: Bool = false
    ) -> LoadedConfiguration {
        do {
            return try tryLoad(options, defaultTimeout: defaultTimeout, serve: serve)
        } catch {
            printError(error.description)
            exit(2)
        }
    }
}
