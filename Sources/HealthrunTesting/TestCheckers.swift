import Foundation
public import HealthrunCore

/// Checker types for tests of the engine: scripted answers, a runaway that never returns and
/// ignores cancellation, and one that blocks its thread.
public enum TestCheckers {
    /// Answers attempt N with `outcomes[N-1]` (the last one repeats), after `delay`.
    public struct Scripted: Checker {
        public static let typeName = "scripted"

        public struct Configuration: Decodable, Sendable {
            public var outcomes: [String]?
            public var delay: ConfigDuration?
            public var secret: Secret?
            public var details: [String: DetailValue]?
            /// Metrics every attempt reports: `{cert_expiry_days: 12}`.
            public var metrics: [String: Double]?
            /// The metric names it declares (a threshold on another is a config error).
            public var declares: [String]?
        }

        let outcomes: [CheckOutcome]
        let delay: Duration
        public var details: [String: DetailValue] = [:]
        /// Reported with every outcome.
        public var metrics: [Metric] = []
        /// What ``metricNames`` says.
        public var declared: [String]?
        let calls = Counter()

        public var metricNames: [String]? { declared }

        public init(outcomes: [CheckOutcome], delay: Duration = .zero) {
            self.outcomes = outcomes.isEmpty ? [.ok("ok")] : outcomes
            self.delay = delay
        }

        /// From checks.d: `outcomes: ["ok", "fail: down", "warn: slow"]`.
        public init(configuration: Configuration) throws {
            let parsed = try (configuration.outcomes ?? ["ok"]).map { text -> CheckOutcome in
                let parts = text.split(separator: ":", maxSplits: 1).map {
                    String($0).trimmingCharacters(in: .whitespaces)
                }
                guard let status = CheckStatus(rawValue: parts[0]), status != .skipped else {
                    throw ConfigValueError(
                        "invalid outcome '\(text)'", field: ["outcomes"], hint: "write ok, warn: text or fail: text")
                }
                return CheckOutcome(status: status, message: parts.count > 1 ? parts[1] : status.rawValue)
            }
            self.init(outcomes: parsed, delay: configuration.delay?.duration ?? .zero)
            details = configuration.details ?? [:]
            metrics = (configuration.metrics ?? [:]).sorted { $0.key < $1.key }.map { Metric($0.key, $0.value) }
            declared = configuration.declares
        }

        /// Attempts made so far.
        public var callCount: Int { calls.value }

        public func check(_ context: CheckContext) async throws -> CheckOutcome {
            let attempt = calls.increment()
            if delay > .zero { try await Task.sleep(for: delay) }
            var outcome = outcomes[min(attempt, outcomes.count) - 1]
            outcome.details.merge(details) { own, _ in own }
            outcome.metrics += metrics
            return outcome
        }
    }

    /// Never returns and ignores cancellation: the worst a plugin or a buggy checker can do.
    public struct Runaway: Checker {
        public static let typeName = "runaway"
        public typealias Configuration = Empty
        let onStart: (@Sendable () -> Void)?

        /// `onStart` is called when an attempt begins, so a test can wait for it.
        public init(onStart: (@Sendable () -> Void)? = nil) {
            self.onStart = onStart
        }

        public func check(_ context: CheckContext) async throws -> CheckOutcome {
            onStart?()
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
            return .ok("unreachable")
        }
    }

    /// Blocks its thread with `sleep(3)`-style waiting, ignoring the deadline.
    public struct Blocking: Checker {
        public static let typeName = "blocking"
        public typealias Configuration = Empty
        let seconds: Double

        public init(seconds: Double = 3) {
            self.seconds = seconds
        }

        public func check(_ context: CheckContext) async throws -> CheckOutcome {
            blockThread(seconds)
            return .ok("woke up")
        }
    }

    /// Blocks the calling thread; a synchronous call, as a C library would make.
    static func blockThread(_ seconds: Double) {
        Thread.sleep(forTimeInterval: seconds)
    }

    /// A thread-safe counter.
    public final class Counter: Sendable {
        private let count = Locked(0)

        public init() {}

        /// Adds one and returns the new value.
        public func increment() -> Int {
            count.withLock { count in
                count += 1
                return count
            }
        }

        /// The current value.
        public var value: Int { count.withLock { $0 } }
    }

    /// A configuration with no fields of its own.
    public struct Empty: Decodable, Sendable {}

    /// A registry with `scripted`, `runaway` and `blocking`.
    public static var registry: CheckerRegistry {
        var registry = CheckerRegistry()
        registry.register(Scripted.self, summary: "scripted outcomes") { try Scripted(configuration: $0) }
        registry.register(Runaway.self, summary: "never returns") { _ in Runaway() }
        registry.register(Blocking.self, summary: "blocks its thread") { _ in Blocking() }
        return registry
    }

    /// A check definition around a checker, for engine tests that build checks in code.
    public static func definition(
        _ name: String,
        _ checker: any Checker,
        timeout: Duration = .seconds(5),
        retries: Int = 0,
        critical: Bool = true,
        group: String? = nil,
        dependsOn: [String] = [],
        warnLatency: Duration? = nil,
        tags: [String] = []
    ) -> CheckDefinition {
        CheckDefinition(
            name: name,
            type: type(of: checker).typeName,
            timeout: timeout,
            retries: retries,
            critical: critical,
            tags: tags,
            group: group,
            dependsOn: dependsOn,
            warnLatency: warnLatency,
            source: SourceLocation(file: "test.yaml", line: 1, column: 1),
            checker: checker
        )
    }
}

/// A directory under the system's temporary directory, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    /// Its path.
    public let path: String

    /// Creates the directory and writes `files` (relative path → text) into it.
    public init(files: [String: String] = [:]) throws {
        path = NSTemporaryDirectory() + "healthrun-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    /// Writes a file (creating folders).
    public func write(_ name: String, _ text: String) throws {
        let full = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Removes the directory.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
