/// When each check runs, as a pure state machine over wall-clock milliseconds, so it is tested
/// on an injected clock. A check's first tick is spread across its interval by a stable hash of
/// its name and pinned to wall-clock multiples of the interval (as Prometheus spreads scrapes):
/// 1,000 checks are evenly spread from the first interval on. Each next tick is the previous
/// tick plus the interval (no drift). A check never runs twice at once; a run that overruns
/// one or more ticks skips them and counts them.
public struct SchedulePlan: Sendable {
    /// One scheduled check.
    public struct Entry: Sendable, Hashable {
        /// When it is next due (Unix ms).
        public var due: Int64
        /// Its interval in ms.
        public var interval: Int64
        /// Whether a run is in flight.
        public var running: Bool
        /// Ticks skipped because a run overran.
        public var skipped: Int
    }

    /// A check that is due now, with how late it is started.
    public struct DueRun: Sendable, Hashable {
        /// The check.
        public var name: String
        /// The tick it is for (Unix ms).
        public var due: Int64
        /// How late the start is, in ms (the scheduler lag).
        public var lag: Int64
    }

    /// Entries by check name.
    public private(set) var entries: [String: Entry] = [:]

    /// Creates an empty plan.
    public init() {}

    /// Adds (or re-adds, after a reload) a check with its interval, first due at its spread offset.
    public mutating func add(_ name: String, interval: Int64, now: Int64) {
        let interval = max(1, interval)
        let running = entries[name]?.running ?? false
        entries[name] = Entry(
            due: Self.firstDue(name: name, interval: interval, now: now), interval: interval, running: running,
            skipped: entries[name]?.skipped ?? 0)
    }

    /// Removes a check (a reload dropped it).
    public mutating func remove(_ name: String) {
        entries[name] = nil
    }

    /// The first tick at or after `now`: `k × interval + offset(name)`.
    public static func firstDue(name: String, interval: Int64, now: Int64) -> Int64 {
        let offset = Int64(truncatingIfNeeded: stableHash(name) % UInt64(interval))
        let base = (now / interval) * interval + offset
        return base >= now ? base : base + interval
    }

    /// FNV-1a 64 of the name: the same on every start and every machine (Swift's `Hasher` is seeded per process).
    public static func stableHash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Checks due at `now` that are not running, marked running, earliest first.
    public mutating func takeDue(now: Int64) -> [DueRun] {
        var due: [DueRun] = []
        for (name, entry) in entries where !entry.running && entry.due <= now {
            due.append(DueRun(name: name, due: entry.due, lag: now - entry.due))
            entries[name]?.running = true
        }
        return due.sorted { ($0.due, $0.name) < ($1.due, $1.name) }
    }

    /// Marks a run finished at `now`; its next tick is `due + interval`, skipping (and
    /// counting) every tick that passed while it ran.
    /// - Returns: the ticks skipped by this run.
    @discardableResult
    public mutating func finish(_ name: String, now: Int64) -> Int {
        guard var entry = entries[name] else { return 0 }
        entry.running = false
        var next = entry.due + entry.interval
        var skipped = 0
        while next < now {
            next += entry.interval
            skipped += 1
        }
        entry.due = next
        entry.skipped += skipped
        entries[name] = entry
        return skipped
    }

    /// The earliest due time of a check not running, if any.
    public var nextDue: Int64? {
        entries.values.lazy.filter { !$0.running }.map(\.due).min()
    }

    /// Ticks skipped by overruns, over all checks.
    public var totalSkipped: Int { entries.values.reduce(0) { $0 + $1.skipped } }
}
