public import Foundation

/// Everything one run found: the input of every reporter and of the exit code.
public struct RunReport: Sendable {
    /// The tool that made the report.
    public struct Tool: Sendable, Hashable {
        /// `healthrun`, or an embedding executable's name.
        public var name: String
        /// Its version.
        public var version: String

        /// Creates a tool description.
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }

        /// This package.
        public static let healthrun = Tool(name: "healthrun", version: healthrunVersion)
    }

    /// Counts per status.
    public struct Summary: Sendable, Hashable {
        public var total = 0
        public var ok = 0
        public var warn = 0
        public var fail = 0
        public var skipped = 0

        /// Creates counts.
        public init(total: Int = 0, ok: Int = 0, warn: Int = 0, fail: Int = 0, skipped: Int = 0) {
            self.total = total
            self.ok = ok
            self.warn = warn
            self.fail = fail
            self.skipped = skipped
        }
    }

    /// A unit that fails the run: a check judged on its own, or a group judged for its members.
    public struct Failure: Sendable, Hashable {
        /// The check's or group's name.
        public var name: String
        /// Whether it is a group.
        public var isGroup: Bool
        /// Its status.
        public var status: CheckStatus
    }

    /// The tool.
    public var tool: Tool
    /// When the run started.
    public var startedAt: Date
    /// When it finished.
    public var finishedAt: Date
    /// Wall time of the run.
    public var duration: Duration
    /// Results, in definition order.
    public var checks: [CheckResult]
    /// Groups with at least one member in the run.
    public var groups: [GroupResult]
    /// Whether warn fails the run (`--fail-on warn`).
    public var failOnWarn: Bool
    /// Whether the run was cancelled before every check finished.
    public var cancelled: Bool

    /// Creates a report.
    public init(
        tool: Tool = .healthrun,
        startedAt: Date,
        finishedAt: Date,
        duration: Duration,
        checks: [CheckResult],
        groups: [GroupResult],
        failOnWarn: Bool = false,
        cancelled: Bool = false
    ) {
        self.tool = tool
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.duration = duration
        self.checks = checks
        self.groups = groups
        self.failOnWarn = failOnWarn
        self.cancelled = cancelled
    }

    /// Counts per status over the checks.
    public var summary: Summary { Self.count(checks.map(\.status)) }

    /// Counts per status over the groups.
    public var groupSummary: Summary { Self.count(groups.map(\.status)) }

    private static func count(_ statuses: [CheckStatus]) -> Summary {
        var summary = Summary()
        for status in statuses {
            summary.total += 1
            switch status {
            case .ok: summary.ok += 1
            case .warn: summary.warn += 1
            case .fail: summary.fail += 1
            case .skipped: summary.skipped += 1
            }
        }
        return summary
    }

    /// The units that fail the run. A check in an `any` or `failover` group is judged through
    /// its group; every other critical check on its own. A critical check skipped because a
    /// dependency failed was not verified, so it fails the run too (unless the run was cancelled).
    public var failures: [Failure] {
        let judgedByGroup = Set(groups.filter { $0.policy.judgesMembersThroughGroup }.flatMap(\.members))
        var failures: [Failure] = []
        for check in checks where check.critical && !judgedByGroup.contains(check.name) {
            if fails(check.status) { failures.append(Failure(name: check.name, isGroup: false, status: check.status)) }
        }
        for group in groups where group.critical && group.policy.judgesMembersThroughGroup {
            if fails(group.status) { failures.append(Failure(name: group.name, isGroup: true, status: group.status)) }
        }
        return failures
    }

    private func fails(_ status: CheckStatus) -> Bool {
        switch status {
        case .fail: true
        case .warn: failOnWarn
        case .skipped: !cancelled
        case .ok: false
        }
    }

    /// Whether every critical check and group passed.
    public var passed: Bool { failures.isEmpty }

    /// The run's status: `fail` when it fails, `warn` when it passes with anything not ok
    /// (a warning, or a non-critical failure), else `ok`.
    public var status: CheckStatus {
        if !passed { return .fail }
        let anythingOff =
            checks.contains { $0.status == .warn || $0.status == .fail }
            || groups.contains { $0.status == .warn || $0.status == .fail }
        return anythingOff ? .warn : .ok
    }

    /// 0 passed, 1 failed. Invalid configuration (2) never gets this far.
    public var exitCode: Int32 { passed ? 0 : 1 }

    /// `7 checks: 6 ok, 1 fail (critical) in 312 ms`.
    public var summaryLine: String {
        let summary = summary
        var parts: [String] = []
        let criticalFailures = Set(failures.filter { !$0.isGroup }.map(\.name))
        for status in CheckStatus.allCases {
            let names = checks.filter { $0.status == status }.map(\.name)
            guard !names.isEmpty else { continue }
            var part = "\(names.count) \(status)"
            let critical = names.filter(criticalFailures.contains).count
            if critical > 0 { part += critical == names.count ? " (critical)" : " (\(critical) critical)" }
            parts.append(part)
        }
        let groupFailures = failures.filter(\.isGroup).map(\.name)
        var line = "\(summary.total) check\(summary.total == 1 ? "" : "s"): " + parts.joined(separator: ", ")
        if !groupFailures.isEmpty { line += "; group \(groupFailures.joined(separator: ", ")) failed" }
        line += " in \(Self.formatMilliseconds(duration))"
        if cancelled { line += " (cancelled)" }
        return line
    }

    /// The verdict in one word and why, for the last line a person reads:
    /// `PASSED — 6 ok, 1 fail (not blocking: claude-code-models, carried by gigachat-models) in 15 ms`,
    /// `FAILED — 2 critical checks failed: postgres, proxy in 1.02 s`.
    public var verdictLine: String {
        var line: String
        if passed {
            var parts: [String] = []
            for status in CheckStatus.allCases {
                let count = checks.filter { $0.status == status }.count
                if count > 0 { parts.append("\(count) \(status)") }
            }
            line = "PASSED — " + parts.joined(separator: ", ")
            let notBlocking = notBlockingReasons
            if !notBlocking.isEmpty { line += " (not blocking: \(notBlocking.joined(separator: "; ")))" }
        } else {
            let failed = failures
            let checkNames = failed.filter { !$0.isGroup }.map(\.name)
            let groupNames = failed.filter(\.isGroup).map(\.name)
            var parts: [String] = []
            if !checkNames.isEmpty {
                parts.append(
                    "\(checkNames.count) critical check\(checkNames.count == 1 ? "" : "s") failed: "
                        + checkNames.joined(separator: ", "))
            }
            if !groupNames.isEmpty {
                parts.append(
                    "\(groupNames.count) critical group\(groupNames.count == 1 ? "" : "s") failed: "
                        + groupNames.joined(separator: ", "))
            }
            line = "FAILED — " + parts.joined(separator: "; ")
        }
        line += " in \(Self.formatMilliseconds(duration))"
        if cancelled { line += " (cancelled)" }
        return line
    }

    /// Checks that failed (or warned) without failing the run, each with why it did not.
    private var notBlockingReasons: [String] {
        notBlocking.map { item in
            switch item.reason {
            case .notCritical: "\(item.name) (not critical)"
            case .carried(let carrier): "\(item.name), carried by \(carrier)"
            }
        }
    }

    /// Why a failing check does not fail the run.
    public enum NotBlockingReason: Sendable, Hashable {
        /// `critical: false`.
        case notCritical
        /// A member of an `any` or `failover` group that another member carries.
        case carried(by: String)
    }

    /// The checks that failed without failing the run, in report order, with why.
    public var notBlocking: [(name: String, reason: NotBlockingReason)] {
        let carriedBy = Dictionary(
            groups.filter { $0.policy.judgesMembersThroughGroup }.flatMap { group in
                group.members.map { ($0, group.carriedBy) }
            },
            uniquingKeysWith: { first, _ in first })
        var result: [(name: String, reason: NotBlockingReason)] = []
        for check in checks where check.status == .fail || (check.status == .skipped && !cancelled) {
            if let carrier = carriedBy[check.name] {
                guard check.status == .fail, let carrier else { continue }
                result.append((check.name, .carried(by: carrier)))
            } else if !check.critical {
                result.append((check.name, .notCritical))
            }
        }
        return result
    }

    /// `12 ms`, `1.2 s`: a latency for people.
    public static func formatMilliseconds(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms < 10 { return String(format: "%.1f ms", ms) }
        if ms < 1000 { return "\(Int(ms.rounded())) ms" }
        return String(format: "%.2f s", ms / 1000)
    }
}

/// The version every report carries.
public let healthrunVersion = "0.1.0"
