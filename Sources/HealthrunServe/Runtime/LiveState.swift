public import Foundation
public import HealthrunCore

/// What the HTTP surface answers from: the latest result of every check, the last 25 hours of
/// hourly rollups and 90 days of daily ones, kept in memory and updated as results arrive.
/// Nothing here waits on a check or on the database.
public final class LiveState: Sendable {
    struct Inner: Sendable {
        var configuration: LoadedConfiguration
        var latest: [String: CheckResult] = [:]
        var lastRunAt: [String: Int64] = [:]
        var hourly: [String: [Int64: Rollup]] = [:]
        var daily: [String: [Int64: DayCounts]] = [:]
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        /// The last ``recentCount`` runs of each check, oldest first (the status page's strip).
        var recent: [String: [RecentRun]] = [:]
        var lag = LatencyHistogram()
        var lagCount = 0
        var lastBatchSize = 0
        var batches = 0
        var storedResults = 0
        /// Tokens the checks themselves spent (their `input_tokens` and `output_tokens`), since start.
        var probeTokens: [String: Double] = [:]
        var skippedTicks = 0
        var reloads = 0
        /// Why the last history write failed, until one succeeds.
        var storeProblem: String?
        var storeWriteErrors = 0
    }

    private let inner: Locked<Inner>
    /// Days the uptime strip shows.
    public static let stripDays = 90

    /// Creates the state for a configuration.
    public init(configuration: LoadedConfiguration) {
        inner = Locked(Inner(configuration: configuration))
    }

    /// The running configuration.
    public var configuration: LoadedConfiguration { inner.withLock { $0.configuration } }

    /// Replaces the configuration (a reload); results of checks that are gone are dropped.
    public func replace(configuration: LoadedConfiguration) {
        inner.withLock { inner in
            inner.configuration = configuration
            let names = Set(configuration.checks.map(\.name))
            inner.latest = inner.latest.filter { names.contains($0.key) }
            inner.reloads += 1
        }
    }

    /// Restores history after a restart: latest results and rollups from the store.
    public func restore(
        latest: [String: StoredResult], hourly: [String: [Int64: Rollup]], daily: [String: [Int64: Rollup]]
    ) {
        inner.withLock { inner in
            let definitions = Dictionary(
                inner.configuration.checks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (name, stored) in latest {
                guard let check = definitions[name] else { continue }
                inner.latest[name] = CheckResult(
                    name: name, type: check.type, status: stored.status, critical: check.critical,
                    duration: .milliseconds(stored.durationMs), attempts: stored.status == .skipped ? 0 : 1,
                    message: stored.message, group: check.group, tags: check.tags, source: check.source,
                    startedAt: Date(unixMilliseconds: stored.at))
                inner.lastRunAt[name] = stored.at
            }
            inner.hourly = hourly
            inner.daily = daily.mapValues { $0.mapValues(DayCounts.init) }
        }
    }

    /// Runs the status page's strip shows per check.
    public static let recentCount = 30

    /// One run in the strip: small (a message only when it did not pass), as 1,000 checks keep 30.
    public struct RecentRun: Sendable, Hashable {
        public var at: Int64
        public var status: CheckStatus
        public var durationMs: Float
        public var message: String?
    }

    /// The last runs of a check, oldest first.
    public func recentRuns(_ name: String) -> [RecentRun] { inner.withLock { $0.recent[name] ?? [] } }

    /// Restores the strips from the history (newest first per check, as the store reads them).
    public func restoreRecent(_ runs: [String: [StoredResult]]) {
        inner.withLock { inner in
            for (name, results) in runs {
                inner.recent[name] = results.reversed().map(Self.recentRun)
            }
        }
    }

    static func recentRun(_ result: StoredResult) -> RecentRun {
        RecentRun(
            at: result.at, status: result.status, durationMs: Float(result.durationMs),
            message: result.status == .ok ? nil : result.message)
    }

    /// Records a result; returns the state change it makes, if any.
    @discardableResult
    public func record(_ result: CheckResult, at: Int64) -> StateChange? {
        let (change, subscribers) = inner.withLock {
            inner -> (StateChange?, [AsyncStream<String>.Continuation]) in
            let previous = inner.latest[result.name]?.status
            inner.latest[result.name] = result
            inner.lastRunAt[result.name] = at
            var recent = inner.recent[result.name] ?? []
            if recent.count >= Self.recentCount { recent.removeFirst(recent.count - Self.recentCount + 1) }
            recent.append(
                RecentRun(
                    at: at, status: result.status, durationMs: Float(result.duration.milliseconds),
                    message: result.status == .ok ? nil : result.message))
            inner.recent[result.name] = recent
            for metric in result.metrics where metric.name == "input_tokens" || metric.name == "output_tokens" {
                inner.probeTokens[result.name, default: 0] += metric.value
            }
            let ms = result.duration.milliseconds
            inner.hourly[result.name, default: [:]][Resolution.hourly.bucket(at), default: Rollup()]
                .record(result.status, milliseconds: ms)
            inner.daily[result.name, default: [:]][Resolution.daily.bucket(at), default: DayCounts()]
                .record(result.status)
            // Keep 25 hours and 90 days.
            if let hours = inner.hourly[result.name], hours.count > 26 {
                let oldest = Resolution.hourly.bucket(at) - 25 * Resolution.hourly.rawValue
                inner.hourly[result.name] = hours.filter { $0.key >= oldest }
            }
            if let days = inner.daily[result.name], days.count > Self.stripDays + 1 {
                let oldest = Resolution.daily.bucket(at) - Int64(Self.stripDays) * Resolution.daily.rawValue
                inner.daily[result.name] = days.filter { $0.key > oldest }
            }
            let change =
                previous == result.status
                ? nil
                : StateChange(check: result.name, at: at, from: previous, to: result.status, message: result.message)
            return (change, Array(inner.subscribers.values))
        }
        if !subscribers.isEmpty {
            let event = ServerSentEvents.result(result, at: at, change: change)
            for subscriber in subscribers {
                if case .dropped = subscriber.yield(event) { subscriber.finish() }
            }
        }
        return change
    }

    /// The latest results as a report (checks never run yet are `skipped`, "no result yet").
    public func report(now: Date = Date()) -> RunReport {
        inner.withLock { inner in
            var results: [String: CheckResult] = [:]
            let checks = inner.configuration.checks.map { check in
                let result = inner.latest[check.name] ?? Engine.skipped(check, message: "no result yet")
                results[check.name] = result
                return result
            }
            let started = inner.lastRunAt.values.min().map { Date(unixMilliseconds: $0) } ?? now
            return RunReport(
                startedAt: started, finishedAt: now, duration: .zero, checks: checks,
                groups: GroupEvaluator.evaluate(inner.configuration.groups, results: results))
        }
    }

    /// One group as judged on the latest results (a member with none yet counts as skipped, as
    /// in ``report(now:)``), without building the whole report: the check page asks for one.
    public func group(_ name: String) -> GroupResult? {
        inner.withLock { inner in
            guard let group = inner.configuration.groups.first(where: { $0.name == name }) else { return nil }
            let members = Set(group.members)
            var results: [String: CheckResult] = [:]
            for check in inner.configuration.checks where members.contains(check.name) {
                results[check.name] = inner.latest[check.name] ?? Engine.skipped(check, message: "no result yet")
            }
            return GroupEvaluator.evaluate([group], results: results).first
        }
    }

    /// The latest result of a check.
    public func latest(_ name: String) -> CheckResult? { inner.withLock { $0.latest[name] } }

    /// Whether every check has a result.
    public var isReady: Bool {
        inner.withLock { inner in inner.configuration.checks.allSatisfy { inner.latest[$0.name] != nil } }
    }

    /// When a check last ran (Unix ms).
    public func lastRunAt(_ name: String) -> Int64? { inner.withLock { $0.lastRunAt[name] } }

    /// The rollup of a check over the last `hours` hourly buckets (the current one included).
    public func recentRollup(_ name: String, hours: Int = 24, now: Int64) -> Rollup {
        inner.withLock { inner in
            let oldest = Resolution.hourly.bucket(now) - Int64(hours - 1) * Resolution.hourly.rawValue
            var total = Rollup()
            for (bucket, rollup) in inner.hourly[name] ?? [:] where bucket >= oldest { total.merge(rollup) }
            return total
        }
    }

    /// Uptime over the last `days` UTC days, today included (`nil` when nothing ran).
    public func dailyUptimeRatio(_ name: String, days: Int, now: Int64) -> Double? {
        inner.withLock { inner in
            let oldest = Resolution.daily.bucket(now) - Int64(days - 1) * Resolution.daily.rawValue
            var passing = 0
            var ran = 0
            for (bucket, counts) in inner.daily[name] ?? [:] where bucket >= oldest {
                passing += Int(counts.passing)
                ran += Int(counts.ran)
            }
            return ran == 0 ? nil : Double(passing) / Double(ran)
        }
    }

    /// Uptime over the last `hours` hourly buckets, from counts only (no histogram merging).
    public func recentUptime(_ name: String, hours: Int = 24, now: Int64) -> Double? {
        inner.withLock { inner in
            let oldest = Resolution.hourly.bucket(now) - Int64(hours - 1) * Resolution.hourly.rawValue
            var passing = 0
            var ran = 0
            for (bucket, rollup) in inner.hourly[name] ?? [:] where bucket >= oldest {
                passing += rollup.ok + rollup.warn
                ran += rollup.ok + rollup.warn + rollup.fail
            }
            return ran == 0 ? nil : Double(passing) / Double(ran)
        }
    }

    /// Uptime per day for the strip, oldest first: `nil` for a day with no run.
    public func dailyUptime(_ name: String, days: Int = stripDays, now: Int64) -> [Double?] {
        inner.withLock { inner in
            let today = Resolution.daily.bucket(now)
            let buckets = inner.daily[name] ?? [:]
            return (0..<days).reversed().map { back in buckets[today - Int64(back) * Resolution.daily.rawValue]?.uptime
            }
        }
    }

    // MARK: Server metrics

    /// Counts a scheduler start `lag` ms after its tick.
    public func recordLag(milliseconds: Int64) {
        inner.withLock {
            $0.lag.record(milliseconds: Double(milliseconds))
            $0.lagCount += 1
        }
    }

    /// Tokens each check spent on its own runs since start (a canary's prompt and answer).
    var probeTokens: [String: Double] { inner.withLock { $0.probeTokens } }

    /// Counts a committed batch; the store works (again).
    public func recordBatch(size: Int) {
        inner.withLock {
            $0.lastBatchSize = size
            $0.batches += 1
            $0.storedResults += size
            $0.storeProblem = nil
        }
    }

    /// Counts a failed write; returns whether the store was working until now.
    @discardableResult
    public func recordWriteFailure(_ reason: String) -> Bool {
        inner.withLock { inner in
            inner.storeWriteErrors += 1
            let wasWorking = inner.storeProblem == nil
            inner.storeProblem = reason
            return wasWorking
        }
    }

    /// Why history cannot be written now, if it cannot.
    public var storeProblem: String? { inner.withLock { $0.storeProblem } }

    /// Sets the skipped-ticks total.
    public func setSkippedTicks(_ count: Int) { inner.withLock { $0.skippedTicks = count } }

    struct ServerCounters {
        var lag: LatencyHistogram
        var lagCount: Int
        var lastBatchSize: Int
        var batches: Int
        var storedResults: Int
        var skippedTicks: Int
        var reloads: Int
        var storeWriteErrors: Int
    }

    var serverCounters: ServerCounters {
        inner.withLock {
            ServerCounters(
                lag: $0.lag, lagCount: $0.lagCount, lastBatchSize: $0.lastBatchSize, batches: $0.batches,
                storedResults: $0.storedResults, skippedTicks: $0.skippedTicks, reloads: $0.reloads,
                storeWriteErrors: $0.storeWriteErrors)
        }
    }

    // MARK: Server-Sent Events

    /// Frames a subscriber may fall behind by; one that falls further is dropped (its browser
    /// reconnects and reloads), so a slow client costs bounded memory and never slows others.
    static let subscriberBuffer = 256

    /// A stream of SSE frames until the caller stops reading, or nil when `limit` streams are
    /// open already.
    public func subscribe(limit: Int = .max) -> AsyncStream<String>? {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.subscriberBuffer))
        continuation.onTermination = { [weak self] _ in
            _ = self?.inner.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        let added = inner.withLock { inner -> Bool in
            guard inner.subscribers.count < limit else { return false }
            inner.subscribers[id] = continuation
            return true
        }
        return added ? stream : nil
    }

    /// Event streams open now.
    public var subscriberCount: Int { inner.withLock { $0.subscribers.count } }

    /// Ends every stream (shutdown).
    public func finishSubscribers() {
        let all = inner.withLock { inner -> [AsyncStream<String>.Continuation] in
            defer { inner.subscribers = [:] }
            return Array(inner.subscribers.values)
        }
        for continuation in all { continuation.finish() }
    }
}

/// A day's counts in memory: the strip and the long uptime windows need no histogram, and
/// 90 days × 1,000 checks of full rollups would cost about 20 MB.
struct DayCounts: Sendable, Hashable {
    var passing: Int32 = 0
    var ran: Int32 = 0

    init() {}

    init(_ rollup: Rollup) {
        passing = Int32(clamping: rollup.ok + rollup.warn)
        ran = Int32(clamping: rollup.ok + rollup.warn + rollup.fail)
    }

    mutating func record(_ status: CheckStatus) {
        switch status {
        case .ok, .warn:
            passing &+= 1
            ran &+= 1
        case .fail: ran &+= 1
        case .skipped: break
        }
    }

    var uptime: Double? { ran == 0 ? nil : Double(passing) / Double(ran) }
}
