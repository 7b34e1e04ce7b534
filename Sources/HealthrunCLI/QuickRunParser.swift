/// Reads the plain run's command line (`healthrun -d DIR -q -r json:FILE`, what a CI gate and
/// the benchmarks run) without ArgumentParser's reflection over the whole command tree, which
/// cost about 1.4 ms of a 12 ms run of one check (bench/README.md).
///
/// It takes the run command's options one word each (`-d DIR`, `--timeout 3s`, `-q`) and
/// gives up on anything else: `--help`, `--version`, another command, `--name=value`, short
/// flags run together, a value that starts with `-`, an option given twice where it is not
/// repeatable, or values that ArgumentParser or `validate()` would reject (of the run
/// command's option groups only `RunLimitOptions` has a `validate()`; one added to another must
/// be mirrored in ``request(values:flags:)``). Those go to ArgumentParser, which prints its usual
/// usage and errors. What it accepts, it reads the way ArgumentParser does: `QuickRunParserTests`
/// compares the two on every option and checks that this table names every option the run
/// command has. It builds a ``RunRequest`` directly: building `RunCommand`'s property wrappers
/// cost a third of a millisecond more.
enum QuickRunParser {
    /// The run command's options that take a value, by the names a user types.
    enum ValueOption: Int, CaseIterable {
        case checksDir, envFile, pluginsDir, timeout, concurrency, report, failOn, only, tag

        var names: [String] {
            switch self {
            case .checksDir: ["-d", "--checks-dir"]
            case .envFile: ["--env-file"]
            case .pluginsDir: ["--plugins-dir"]
            case .timeout: ["--timeout"]
            case .concurrency: ["-c", "--concurrency"]
            case .report: ["-r", "--report"]
            case .failOn: ["--fail-on"]
            case .only: ["--only"]
            case .tag: ["--tag"]
            }
        }

        var repeatable: Bool { self == .report || self == .only || self == .tag }
    }

    /// The run command's flags, by the names a user types.
    enum Flag: Int, CaseIterable {
        case noColor, quiet, verbose

        var names: [String] {
            switch self {
            case .noColor: ["--no-color"]
            case .quiet: ["-q", "--quiet"]
            case .verbose: ["-v", "--verbose"]
            }
        }
    }

    /// The run `arguments` ask for (the words after the executable's name), or nil when
    /// ArgumentParser should read them.
    static func parse(_ arguments: [String]) -> RunRequest? {
        var words = arguments[...]
        if words.first == "run" { words = words.dropFirst() }
        // Arrays indexed by the options' raw values: a dictionary or set keyed by these enums
        // makes the runtime look up their Hashable conformances (a fifth of this parse's time).
        var values = Values(repeating: nil, count: ValueOption.allCases.count)
        var flags = [Bool](repeating: false, count: Flag.allCases.count)
        while let word = words.popFirst() {
            if let flag = Flag.allCases.first(where: { $0.names.contains(word) }) {
                guard !flags[flag.rawValue] else { return nil }
                flags[flag.rawValue] = true
                continue
            }
            guard let option = ValueOption.allCases.first(where: { $0.names.contains(word) }),
                let value = words.popFirst(), value == "-" || !value.hasPrefix("-"),
                option.repeatable || values[option.rawValue] == nil
            else { return nil }
            values[option.rawValue] = (values[option.rawValue] ?? []) + [value]
        }
        return request(values: values, flags: flags)
    }

    /// The values of each option, by its raw value.
    private typealias Values = [[String]?]

    /// The request, or nil where ArgumentParser would report an error.
    private static func request(values table: Values, flags: [Bool]) -> RunRequest? {
        func values(_ option: ValueOption) -> [String]? { table[option.rawValue] }
        func flag(_ flag: Flag) -> Bool { flags[flag.rawValue] }
        var concurrency = RunLimitOptions.defaults.concurrency
        if let text = values(.concurrency)?.last {
            guard let number = Int(text) else { return nil }
            concurrency = number
        }
        let timeout = values(.timeout)?.last ?? RunLimitOptions.defaults.timeout
        guard (try? RunLimitOptions.check(timeout: timeout, concurrency: concurrency)) != nil else { return nil }
        var output = OutputSettings(report: values(.report) ?? [])
        if let failOn = values(.failOn)?.last {
            guard let parsed = OutputOptions.FailOn(rawValue: failOn) else { return nil }
            output.failOn = parsed
        }
        output.noColor = flag(.noColor)
        output.quiet = flag(.quiet)
        output.verbose = flag(.verbose)
        return RunRequest(
            location: ChecksLocation(
                checksDir: values(.checksDir)?.last, envFile: values(.envFile)?.last,
                pluginsDir: values(.pluginsDir)?.last),
            timeout: timeout,
            concurrency: concurrency,
            output: output,
            only: values(.only) ?? [],
            tag: values(.tag) ?? []
        )
    }
}
