public import HealthrunCore

/// What an executable adds to the built-in checker types and report formats: call
/// ``HealthrunMain/main(tool:customize:)`` with it to ship a healthrun-compatible command.
public struct Toolkit: Sendable {
    /// Adds checker types and reporters to the built-in ones (same name replaces).
    public var customize: @Sendable (_ checkers: inout CheckerRegistry, _ reporters: inout ReporterRegistry) -> Void
    /// The tool named in reports and `--version`.
    public var tool: RunReport.Tool

    /// Creates a toolkit.
    public init(
        tool: RunReport.Tool = .healthrun,
        customize:
            @escaping @Sendable (_ checkers: inout CheckerRegistry, _ reporters: inout ReporterRegistry) -> Void = {
                _, _ in
            }
    ) {
        self.tool = tool
        self.customize = customize
    }

    @TaskLocal static var current = Toolkit()
}
