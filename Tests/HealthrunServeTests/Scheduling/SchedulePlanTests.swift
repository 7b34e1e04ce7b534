import HealthrunServe
import Testing

@Suite struct SchedulePlanTests {
    let minute: Int64 = 60_000

    @Test func firstRunsAreSpreadEvenlyAcrossTheFirstInterval() {
        var plan = SchedulePlan()
        let now: Int64 = 1_764_000_000_123
        for index in 0..<1000 { plan.add("check-\(index)", interval: minute, now: now) }
        let dues = plan.entries.values.map(\.due)
        #expect(dues.allSatisfy { $0 >= now && $0 < now + minute })
        // Ten 6-second slices of the first minute each hold about a tenth of the checks.
        var slices = Array(repeating: 0, count: 10)
        for due in dues { slices[Int((due - now) * 10 / minute)] += 1 }
        #expect(slices.allSatisfy { (60...140).contains($0) }, "\(slices)")
    }

    @Test func theSpreadIsPinnedToWallClockMultiplesAndStableAcrossRestarts() {
        let first = SchedulePlan.firstDue(name: "postgres", interval: minute, now: 1_764_000_000_000)
        let restarted = SchedulePlan.firstDue(name: "postgres", interval: minute, now: 1_764_000_017_000)
        #expect(first % minute == restarted % minute)
        #expect(first % minute == Int64(SchedulePlan.stableHash("postgres") % UInt64(minute)))
    }

    @Test func nextRunIsThePreviousTickPlusTheIntervalWithNoDrift() {
        var plan = SchedulePlan()
        plan.add("a", interval: 1000, now: 0)
        var tick = plan.entries["a"]!.due
        for _ in 0..<100 {
            let due = plan.takeDue(now: tick + 7)  // started 7 ms late
            #expect(due.map(\.name) == ["a"])
            #expect(due.first?.lag == 7)
            plan.finish("a", now: tick + 300)  // ran 293 ms
            #expect(plan.entries["a"]!.due == tick + 1000)
            tick += 1000
        }
        #expect(plan.totalSkipped == 0)
    }

    @Test func aRunningCheckIsNeverStartedAgain() {
        var plan = SchedulePlan()
        plan.add("slow", interval: 1000, now: 0)
        let due = plan.entries["slow"]!.due
        #expect(plan.takeDue(now: due).count == 1)
        #expect(plan.takeDue(now: due + 1500).isEmpty)
        #expect(plan.takeDue(now: due + 5000).isEmpty)
        #expect(plan.nextDue == nil)
    }

    @Test func anOverrunSkipsTheMissedTicksAndCountsThem() {
        var plan = SchedulePlan()
        plan.add("slow", interval: 1000, now: 0)
        let due = plan.entries["slow"]!.due
        _ = plan.takeDue(now: due)
        #expect(plan.finish("slow", now: due + 2500) == 2)  // ticks at +1000 and +2000 missed
        #expect(plan.entries["slow"]!.due == due + 3000)
        #expect(plan.totalSkipped == 2)
    }

    @Test func dueChecksComeEarliestFirst() {
        var plan = SchedulePlan()
        for name in ["a", "b", "c", "d"] { plan.add(name, interval: 10_000, now: 0) }
        let all = plan.takeDue(now: 10_000)
        #expect(all.count == 4)
        #expect(all.map(\.due) == all.map(\.due).sorted())
    }
}
