/// Computes group results from member results. Pure.
public enum GroupEvaluator {
    /// Results for every group with at least one member in `results`.
    public static func evaluate(_ groups: [GroupDefinition], results: [String: CheckResult]) -> [GroupResult] {
        groups.compactMap { group in
            let members = group.members.filter { results[$0] != nil }
            guard !members.isEmpty else { return nil }
            let statuses = members.map { (name: $0, status: results[$0]!.status) }
            let critical = group.critical ?? members.contains { results[$0]!.critical }
            let (status, carriedBy, message) = judge(group.policy, statuses)
            return GroupResult(
                name: group.name,
                policy: group.policy,
                status: status,
                members: members,
                carriedBy: carriedBy,
                critical: critical,
                message: message
            )
        }
    }

    static func judge(
        _ policy: GroupPolicy,
        _ members: [(name: String, status: CheckStatus)]
    ) -> (CheckStatus, String?, String) {
        switch policy {
        case .all:
            let worst = members.max { $0.status.severity < $1.status.severity }!
            let okCount = members.filter { $0.status == .ok }.count
            if worst.status == .ok { return (.ok, nil, "all \(members.count) members ok") }
            return (worst.status, nil, "\(okCount) of \(members.count) members ok; \(worst.name) \(worst.status)")
        case .any, .failover:
            let primary = members[0]
            if primary.status == .ok { return (.ok, primary.name, "carried by \(primary.name)") }
            let failed = members.filter { $0.status == .fail }.map(\.name)
            let failedText = failed.isEmpty ? "" : "; \(failed.joined(separator: ", ")) failed"
            if let fallback = members.first(where: { $0.status == .ok }) {
                return (.warn, fallback.name, "carried by \(fallback.name) (fallback)\(failedText)")
            }
            if let degraded = members.first(where: { $0.status == .warn }) {
                return (.warn, degraded.name, "carried by \(degraded.name) (warn)\(failedText)")
            }
            if members.allSatisfy({ $0.status == .skipped }) { return (.skipped, nil, "no member ran") }
            return (.fail, nil, "no member healthy\(failedText)")
        }
    }
}
