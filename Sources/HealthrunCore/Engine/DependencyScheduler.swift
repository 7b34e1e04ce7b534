/// Decides which checks may start: after their dependencies passed, and for failover groups
/// only after every earlier member failed. Pure and synchronous; the engine feeds it results.
/// The one home of these rules: the one-shot run and every tick of `healthrun serve` use it.
public struct DependencyScheduler: Sendable {
    /// Why a check will not run.
    public enum SkipReason: Sendable, Hashable {
        /// A dependency did not pass (failed or was itself skipped).
        case dependencyFailed(String)
        /// An earlier failover member carried the group.
        case notNeeded(carriedBy: String)

        /// The message of the `skipped` result.
        public var message: String {
            switch self {
            case .dependencyFailed(let dependency): "not run: dependency '\(dependency)' did not pass"
            case .notNeeded(let carrier): "not needed: \(carrier) ok"
            }
        }
    }

    /// How a finished check counts for its dependents.
    public enum Completion: Sendable, Hashable {
        case passed
        case failed
    }

    /// A node: a check, its dependencies, and the failover member before it.
    public struct Node: Sendable {
        public var name: String
        public var dependsOn: [String]
        public var fallbackOf: String?

        /// Creates a node.
        public init(name: String, dependsOn: [String] = [], fallbackOf: String? = nil) {
            self.name = name
            self.dependsOn = dependsOn
            self.fallbackOf = fallbackOf
        }
    }

    private var waitingOn: [String: Int] = [:]
    private var dependents: [String: [String]] = [:]
    private var fallbacks: [String: String] = [:]
    /// Failover members after the first, with the member before them.
    private var predecessors: [String: String] = [:]
    /// Members whose dependency failed while the member before them still runs: they are
    /// skipped when that member settles, so the one after them waits for the whole chain.
    private var doomed: [String: SkipReason] = [:]
    private var ready: [String] = []
    private var readyHead = 0
    private var order: [String: Int] = [:]
    private var settled: Set<String> = []
    /// Checks that will never run because of `prior`, with why, in the order found.
    public private(set) var skippedAtStart: [(name: String, reason: SkipReason)] = []

    /// Creates a scheduler. `prior` holds how checks outside `nodes` last finished (serve
    /// judges a tick's dependencies on the latest results); other names are ignored.
    public init(nodes: [Node], prior: [String: Completion] = [:]) {
        var names = Set(nodes.map(\.name))
        let outside = prior.keys.filter { !names.contains($0) }.sorted()
        names.formUnion(outside)
        for (index, node) in nodes.enumerated() {
            order[node.name] = index
            var blockers = Set(node.dependsOn.filter { names.contains($0) && $0 != node.name })
            if let previous = node.fallbackOf, names.contains(previous) {
                blockers.insert(previous)
                fallbacks[previous] = node.name
                predecessors[node.name] = previous
            }
            waitingOn[node.name] = blockers.count
            for blocker in blockers { dependents[blocker, default: []].append(node.name) }
        }
        ready = nodes.filter { waitingOn[$0.name] == 0 }.map(\.name)
        var skipped: [(name: String, reason: SkipReason)] = []
        for name in outside {
            let passed = prior[name] == .passed
            settle(name, passed: passed, carrier: passed ? name : nil, skipped: &skipped)
        }
        skippedAtStart = skipped
    }

    /// The next check that may start, in definition order of becoming ready.
    public mutating func popReady() -> String? {
        guard readyHead < ready.count else { return nil }
        defer { readyHead += 1 }
        return ready[readyHead]
    }

    /// Records a finished check; returns the checks that will now never run, with why.
    public mutating func complete(_ name: String, _ completion: Completion) -> [(name: String, reason: SkipReason)] {
        var skipped: [(name: String, reason: SkipReason)] = []
        settle(name, passed: completion == .passed, carrier: completion == .passed ? name : nil, skipped: &skipped)
        return skipped
    }

    private mutating func settle(
        _ name: String,
        passed: Bool,
        carrier: String?,
        skipped: inout [(name: String, reason: SkipReason)]
    ) {
        guard settled.insert(name).inserted else { return }
        let fallback = fallbacks[name]
        for dependent in dependents[name] ?? [] where !settled.contains(dependent) {
            let isFallback = dependent == fallback
            if isFallback {
                // The next failover member runs only if this one did not carry the group.
                if let carrier {
                    skipped.append((dependent, .notNeeded(carriedBy: carrier)))
                    settle(dependent, passed: false, carrier: carrier, skipped: &skipped)
                    continue
                }
                if let reason = doomed[dependent] {
                    skipped.append((dependent, reason))
                    settle(dependent, passed: false, carrier: nil, skipped: &skipped)
                    continue
                }
            } else if !passed {
                if let previous = predecessors[dependent], !settled.contains(previous) {
                    if doomed[dependent] == nil { doomed[dependent] = .dependencyFailed(name) }
                    continue
                }
                skipped.append((dependent, .dependencyFailed(name)))
                settle(dependent, passed: false, carrier: nil, skipped: &skipped)
                continue
            }
            waitingOn[dependent, default: 1] -= 1
            if waitingOn[dependent] == 0 { ready.append(dependent) }
        }
    }
}
