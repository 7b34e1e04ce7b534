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
}
