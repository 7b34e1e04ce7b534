extension ConfigLoader {
    /// Checks what spans files: dependencies, cycles, groups and their members.
    func validateAcrossFiles(_ state: inout LoadState) {
        let names = Set(state.checkLocations.keys)
        var edges: [String: [(dependency: String, location: SourceLocation)]] = [:]
        for reference in state.dependencyReferences {
            if names.contains(reference.dependency) {
                edges[reference.check, default: []].append((reference.dependency, reference.location))
            } else {
                var hints: [String] = []
                if let nearest = Suggestions.nearest(to: reference.dependency, in: names) {
                    hints.append("did you mean '\(nearest)'?")
                }
                state.diagnostics.append(
                    Diagnostic(
                        "check '\(reference.check)' depends on '\(reference.dependency)', which is not defined",
                        at: reference.location,
                        hints: hints
                    )
                )
            }
        }
        for cycle in Self.cycles(in: edges, order: state.checks.map(\.name)) {
            let location = edges[cycle[0]]?.first { $0.dependency == cycle[1] }?.location
            state.diagnostics.append(
                Diagnostic(
                    "dependency cycle: \(cycle.joined(separator: " → "))",
                    at: location,
                    hints: ["remove one of these depends_on entries"]
                )
            )
        }
        validateGroups(&state)
    }

    private func validateGroups(_ state: inout LoadState) {
        var claimedBy: [String: String] = [:]
        for group in state.explicitGroups {
            for member in state.explicitGroupMembers[group.name] ?? [] {
                guard let index = state.checks.firstIndex(where: { $0.name == member.name }) else {
                    if state.checkLocations[member.name] == nil {
                        var hints: [String] = []
                        if let nearest = Suggestions.nearest(to: member.name, in: state.checkLocations.keys) {
                            hints.append("did you mean '\(nearest)'?")
                        }
                        state.diagnostics.append(
                            Diagnostic(
                                "group '\(group.name)' lists '\(member.name)', which is not a check",
                                at: member.location, hints: hints)
                        )
                    }
                    continue
                }
                if let other = claimedBy[member.name], other != group.name {
                    state.diagnostics.append(
                        Diagnostic(
                            "check '\(member.name)' is a member of both '\(other)' and '\(group.name)'",
                            at: member.location)
                    )
                    continue
                }
                if let own = state.checks[index].group, own != group.name {
                    state.diagnostics.append(
                        Diagnostic(
                            "group '\(group.name)' lists '\(member.name)', whose 'group:' is '\(own)'",
                            at: member.location,
                            hints: ["a check belongs to one group"]
                        )
                    )
                    continue
                }
                claimedBy[member.name] = group.name
                state.checks[index].group = group.name
            }
            let hasMembers =
                state.checks.contains { $0.group == group.name }
                || !(state.explicitGroupMembers[group.name] ?? []).isEmpty
            if !hasMembers {
                state.diagnostics.append(
                    Diagnostic(
                        "group '\(group.name)' has no members",
                        at: group.source,
                        hints: ["set 'group: \(group.name)' on its checks, or remove the group"]
                    )
                )
            }
        }
    }

    /// Every dependency cycle once, each as `[a, b, …, a]`, starting from the check defined first.
    static func cycles(
        in edges: [String: [(dependency: String, location: SourceLocation)]],
        order: [String]
    ) -> [[String]] {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []
        var found: [[String]] = []
        var seen: Set<Set<String>> = []

        func visit(_ node: String) {
            marks[node] = .visiting
            stack.append(node)
            for edge in edges[node] ?? [] {
                switch marks[edge.dependency] {
                case .visiting?:
                    let start = stack.lastIndex(of: edge.dependency)!
                    let cycle = Array(stack[start...]) + [edge.dependency]
                    if seen.insert(Set(cycle)).inserted { found.append(cycle) }
                case .done?:
                    break
                case nil:
                    visit(edge.dependency)
                }
            }
            stack.removeLast()
            marks[node] = .done
        }

        for name in order where marks[name] == nil {
            visit(name)
        }
        return found
    }
}
