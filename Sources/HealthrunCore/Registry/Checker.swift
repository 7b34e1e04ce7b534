public import Logging

/// A `type:` of check. Conform, give it a ``typeName`` and a `Configuration` holding its own
/// fields, and register it in a ``CheckerRegistry``.
///
/// `check(_:)` runs under a deadline the engine enforces whether or not the checker honours
/// cancellation; it should still pass ``CheckContext/deadline`` to its I/O and return early
/// when cancelled. It runs on a thread of the engine's own pool unless the type says it never
/// blocks (``mayBlock``).
public protocol Checker: Sendable {
    /// The fields of the check this type adds to the common ones, decoded from checks.d.
    /// Declare optional fields as `Optional` and spell snake_case keys in `CodingKeys`.
    associatedtype Configuration: Decodable & Sendable

    /// The name used in `type:`.
    static var typeName: String { get }

    /// Runs one attempt. Return an outcome for anything the service said (fail included);
    /// throw ``CheckFailure`` for a failure with a message of your own.
    func check(_ context: CheckContext) async throws -> CheckOutcome

    /// Whether `check(_:)` may block its thread: synchronous I/O, `sleep`, a C library's
    /// blocking calls. Such checkers (the default, which is always safe) run on the engine's
    /// own threads, so that they cannot stall other checks. Checkers built only on
    /// non-blocking async I/O (SwiftNIO) say `false` and run on the engine's
    /// ``Engine/nonBlockingExecutors`` (the event loops their I/O uses) or Swift's shared pool.
    /// Deadlines hold either way: a thread of their own keeps them.
    static var mayBlock: Bool { get }

    /// What the check talks to, for people reading a result: a URL without credentials or
    /// query, `host:port`, a command. Never a secret (it is masked anyway). The engine puts it
    /// in every result's `details.target` and names it when the attempt times out.
    var target: String? { get }

    /// Every metric name this configured check can report, when the type knows them: a
    /// threshold on another name is then a located configuration error (with did-you-mean).
    /// `nil` (the default) when it cannot say, as for a plugin or a query's columns.
    var metricNames: [String]? { get }

    /// How often a schedule (`healthrun serve`) runs checks of this type when the check does not
    /// say: for types whose every run costs something, as a completion spends tokens. `nil` (the
    /// default) leaves it to the schedule.
    static var defaultInterval: Duration? { get }
}

extension Checker {
    public static var mayBlock: Bool { true }

    public var target: String? { nil }

    public var metricNames: [String]? { nil }

    public static var defaultInterval: Duration? { nil }
}

/// Target text for URLs: scheme, host, port and path; no user, password, query or fragment
/// (where API keys travel).
public enum TargetText {
    /// `https://user:key@api.example.com:8443/v1/models?key=…` → `https://api.example.com:8443/v1/models`.
    /// One pass over the UTF-8 bytes (every check's result names its target: `firstRange(of:)`
    /// and character slicing cost 2 % of the CPU of 10,000 checks, bench/README.md).
    public static func url(_ text: String) -> String {
        let bytes = text.utf8
        guard let separator = schemeSeparator(in: bytes) else { return text }
        let authorityStart = bytes.index(separator, offsetBy: 3)
        var end = bytes.endIndex  // where the query or the fragment starts
        var pathStart: String.Index?
        var userinfoEnd = authorityStart  // after the authority's last "@"
        var index = authorityStart
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") {
                end = index
                break
            }
            if pathStart == nil {
                if byte == UInt8(ascii: "/") {
                    pathStart = index
                } else if byte == UInt8(ascii: "@") {
                    userinfoEnd = bytes.index(after: index)
                }
            }
            index = bytes.index(after: index)
        }
        if userinfoEnd == authorityStart, end == bytes.endIndex { return text }
        return String(text[..<authorityStart]) + String(text[userinfoEnd..<end])
    }

    /// Where the first "://" starts.
    private static func schemeSeparator(in bytes: String.UTF8View) -> String.Index? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: ":") {
                let second = bytes.index(after: index)
                if second < bytes.endIndex, bytes[second] == UInt8(ascii: "/") {
                    let third = bytes.index(after: second)
                    if third < bytes.endIndex, bytes[third] == UInt8(ascii: "/") { return index }
                }
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}

/// What a checker gets for one attempt.
public struct CheckContext: Sendable {
    /// The check's name.
    public var name: String
    /// When the attempt must be over. The engine fails it at this instant in any case.
    public var deadline: ContinuousClock.Instant
    /// The check's timeout (deadline minus start), for messages.
    public var timeout: Duration
    /// 1 for the first attempt.
    public var attempt: Int
    /// A logger for the attempt; its output is redacted.
    public var logger: Logger
    /// The run's secrets, to mask text the checker builds itself.
    public var redactor: Redactor
    /// What the attempt waits for now; the engine's timeout message ends with it.
    public var progress: CheckProgress

    /// Creates a context.
    public init(
        name: String,
        deadline: ContinuousClock.Instant,
        timeout: Duration,
        attempt: Int,
        logger: Logger,
        redactor: Redactor,
        progress: CheckProgress = CheckProgress()
    ) {
        self.name = name
        self.deadline = deadline
        self.timeout = timeout
        self.attempt = attempt
        self.logger = logger
        self.redactor = redactor
        self.progress = progress
    }

    /// How long after ``deadline`` a checker's own I/O deadlines should fall. The engine reports
    /// the timeout at `deadline` ("timed out after 3s"); I/O bounded by ``ioDeadline`` then ends
    /// shortly after instead of racing the engine for the message.
    public static let ioGrace = Duration.milliseconds(250)

    /// The deadline for the checker's own I/O: ``deadline`` plus ``ioGrace``.
    public var ioDeadline: ContinuousClock.Instant { deadline.advanced(by: Self.ioGrace) }

    /// Time left before the deadline (zero when past it).
    public var remaining: Duration {
        max(.zero, ContinuousClock.now.duration(to: deadline))
    }
}

/// Thrown by a checker whose own I/O stopped at its ``CheckContext/ioDeadline``: the engine
/// reports it as the timeout it is, in the one wording of timeouts ("timed out after 3s: "
/// and what the attempt waited for), as when the engine's own deadline fires first.
public struct DeadlineReached: Error, Sendable {
    /// What the attempt waited for, when the checker knows better than its progress.
    public var waitingFor: String?

    /// Creates the error.
    public init(waitingFor: String? = nil) {
        self.waitingFor = waitingFor
    }
}

/// What an attempt is waiting for, said by the checker as it goes, so that a timeout can say more
/// than "timed out": `timed out after 1.5s: 200 OK from 127.0.0.1:8080, then the body did not
/// finish`. Without it the engine names the checker's ``Checker/target``.
public final class CheckProgress: Sendable {
    private let state = Locked<String?>(nil)

    /// Creates an empty progress.
    public init() {}

    /// Sets what the attempt waits for now, worded to follow "timed out after 3s: ".
    public func waiting(for text: String) {
        state.withLock { $0 = text }
    }

    /// The latest ``waiting(for:)`` text.
    public var current: String? { state.withLock { $0 } }
}
