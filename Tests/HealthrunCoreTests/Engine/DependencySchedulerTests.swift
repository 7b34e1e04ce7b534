import HealthrunCore
import Testing

@Suite struct DependencySchedulerTests {
    @Test func releasesChecksAsDependenciesPass() {
        var scheduler = DependencyScheduler(nodes: [
            .init(name: "a"), .init(name: "b", dependsOn: ["a"]), .init(name: "c"),
        ])
        #expect(scheduler.popReady() == "a")
        #expect(scheduler.popReady() == "c")
        #expect(scheduler.popReady() == nil)
        #expect(scheduler.complete("a", .passed).isEmpty)
        #expect(scheduler.popReady() == "b")
    }

    @Test func cascadesSkipsThroughTheGraph() {
        var scheduler = DependencyScheduler(nodes: [
            .init(name: "a"), .init(name: "b", dependsOn: ["a"]), .init(name: "c", dependsOn: ["b"]), .init(name: "d"),
        ])
        _ = scheduler.popReady()
        let skipped = scheduler.complete("a", .failed)
        #expect(skipped.map(\.name) == ["b", "c"])
        #expect(skipped.map(\.reason) == [.dependencyFailed("a"), .dependencyFailed("b")])
        #expect(scheduler.popReady() == "d")
        #expect(scheduler.popReady() == nil)
    }

    @Test func failoverMembersWaitForTheOneBefore() {
        var scheduler = DependencyScheduler(nodes: [
            .init(name: "p"), .init(name: "f1", fallbackOf: "p"), .init(name: "f2", fallbackOf: "f1"),
        ])
        #expect(scheduler.popReady() == "p")
        #expect(scheduler.popReady() == nil)
        #expect(scheduler.complete("p", .failed).isEmpty)
        #expect(scheduler.popReady() == "f1")
        let skipped = scheduler.complete("f1", .passed)
        #expect(skipped.map(\.name) == ["f2"])
        #expect(skipped.first?.reason == .notNeeded(carriedBy: "f1"))
    }

    @Test func aMemberWhoseDependencyFailedKeepsTheNextOneWaitingForTheChain() {
        var scheduler = DependencyScheduler(nodes: [
            .init(name: "db"), .init(name: "p"), .init(name: "f1", dependsOn: ["db"], fallbackOf: "p"),
            .init(name: "f2", fallbackOf: "f1"),
        ])
        #expect(scheduler.popReady() == "db")
        #expect(scheduler.popReady() == "p")
        #expect(scheduler.complete("db", .failed).isEmpty, "f1 is skipped only once p is known to have failed")
        #expect(scheduler.popReady() == nil, "f2 must wait for p: if p passes, f2 is not needed")
        let skipped = scheduler.complete("p", .failed)
        #expect(skipped.map(\.name) == ["f1"])
        #expect(skipped.first?.reason == .dependencyFailed("db"))
        #expect(scheduler.popReady() == "f2")
    }

    @Test func priorResultsOutsideTheNodesDecideAtStart() {
        var scheduler = DependencyScheduler(
            nodes: [.init(name: "api", dependsOn: ["db"]), .init(name: "web", dependsOn: ["cache"])],
            prior: ["db": .failed, "cache": .passed])
        #expect(scheduler.skippedAtStart.map(\.name) == ["api"])
        #expect(scheduler.skippedAtStart.first?.reason.message == "not run: dependency 'db' did not pass")
        #expect(scheduler.popReady() == "web")
        #expect(scheduler.popReady() == nil)
    }
}
