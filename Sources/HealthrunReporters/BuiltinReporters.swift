public import HealthrunCore

extension ReporterRegistry {
    /// Every reporter this module ships.
    public static var builtin: ReporterRegistry {
        var registry = ReporterRegistry()
        registry.register(ConsoleReporter())
        registry.register(JSONReporter())
        return registry
    }
}
