/// Decides which checks may start: after their dependencies passed, and for failover groups
/// only after every earlier member failed. Pure and synchronous; the engine feeds it results.
public struct DependencyScheduler: Sendable {
    /// Why a check will not run.
    public enum SkipReason: Sendable, Hashable {
        /// A dependency did not pass (failed or was itself skipped).
        case dependencyFailed(String)
        /// An earlier failover member carried the group.
        case notNeeded(carriedBy: String)
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
    private var ready: [String] = []
    private var readyHead = 0
    private var order: [String: Int] = [:]
    private var settled: Set<String> = []

    /// Creates a scheduler; references to names not among `nodes` are ignored.
    public init(nodes: [Node]) {
        let names = Set(nodes.map(\.name))
        for (index, node) in nodes.enumerated() {
            order[node.name] = index
            var blockers = Set(node.dependsOn.filter { names.contains($0) && $0 != node.name })
            if let previous = node.fallbackOf, names.contains(previous) {
                blockers.insert(previous)
                fallbacks[previous] = node.name
            }
            waitingOn[node.name] = blockers.count
            for blocker in blockers { dependents[blocker, default: []].append(node.name) }
        }
        ready = nodes.filter { waitingOn[$0.name] == 0 }.map(\.name)
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
            } else if !passed {
                skipped.append((dependent, .dependencyFailed(name)))
                settle(dependent, passed: false, carrier: nil, skipped: &skipped)
                continue
            }
            waitingOn[dependent, default: 1] -= 1
            if waitingOn[dependent] == 0 { ready.append(dependent) }
        }
    }
}
