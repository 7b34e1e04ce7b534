/// A report format: a pure function from a run's results to bytes. The core writes the bytes
/// (atomically, or to stdout) and decides the exit code; a reporter decides neither.
public protocol Reporter: Sendable {
    /// The name used in `--report NAME[:PATH]`.
    var formatName: String { get }
    /// Where the report goes when no path is given; `-` is stdout.
    var defaultPath: String { get }
    /// Renders the report.
    func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8]
}

/// How the output is being shown.
public struct RenderOptions: Sendable {
    /// Whether ANSI colour is wanted (a terminal, no `NO_COLOR`, no `--no-color`).
    public var color: Bool
    /// The process environment, for formats that read CI variables.
    public var environment: [String: String]
    /// `-v`: show everything (the console prints every metric, not the first three).
    public var verbose: Bool

    /// Creates options.
    public init(color: Bool = false, environment: [String: String] = [:], verbose: Bool = false) {
        self.color = color
        self.environment = environment
        self.verbose = verbose
    }
}

/// The report formats a run knows, by name. A value, like ``CheckerRegistry``.
public struct ReporterRegistry: Sendable {
    private var reporters: [String: any Reporter] = [:]

    /// Creates an empty registry.
    public init() {}

    /// Registers a reporter; a later one replaces an earlier one of the same name.
    public mutating func register(_ reporter: any Reporter) {
        reporters[reporter.formatName] = reporter
    }

    /// The reporter for a format name.
    public func reporter(named name: String) -> (any Reporter)? {
        reporters[name]
    }

    /// Format names, sorted.
    public var formatNames: [String] { reporters.keys.sorted() }
}
