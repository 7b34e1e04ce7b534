public import HealthrunCore

extension ReporterRegistry {
    /// Every reporter this module ships.
    public static var builtin: ReporterRegistry {
        var registry = ReporterRegistry()
        registry.register(ConsoleReporter())
        registry.register(JSONReporter())
        registry.register(HTMLReporter())
        registry.register(JUnitReporter())
        registry.register(PrometheusReporter())
        registry.register(GitHubAnnotationsReporter())
        registry.register(MarkdownReporter())
        return registry
    }
}
