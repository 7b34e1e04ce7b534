import Foundation
import HealthrunTesting
import Testing

@testable import HealthrunCore

@Suite struct DeadlineTimerTests {
    /// Fires in deadline order whatever the order of scheduling, and not before its deadline.
    @Test func firesInDeadlineOrderAndNotEarly() async {
        let fired = Locked<[(Int, Duration)]>([])
        let start = ContinuousClock.now
        for (index, milliseconds) in [(2, 120), (0, 40), (1, 80)] {
            _ = DeadlineTimer.shared.schedule(at: start.advanced(by: .milliseconds(milliseconds))) {
                fired.withLock { $0.append((index, start.duration(to: .now))) }
            }
        }
        try? await Task.sleep(for: .milliseconds(400))
        let order = fired.value
        #expect(order.map(\.0) == [0, 1, 2])
        for (index, elapsed) in order {
            #expect(elapsed >= .milliseconds(40 * (index + 1)), "action \(index) ran after \(elapsed)")
            #expect(elapsed < .milliseconds(40 * (index + 1) + 200), "action \(index) ran after \(elapsed)")
        }
    }

    /// A cancelled action never runs, an earlier deadline scheduled after a later one still
    /// fires first, and thousands of cancelled entries do not pile up.
    @Test func cancelledActionsNeverRunAndDoNotPileUp() async {
        let ran = Locked(0)
        let far = ContinuousClock.now.advanced(by: .seconds(60))
        for _ in 0..<5000 {
            let token = DeadlineTimer.shared.schedule(at: far) { ran.withLock { $0 += 1 } }
            DeadlineTimer.shared.cancel(token)
        }
        let soon = DeadlineTimer.shared.schedule(at: .now.advanced(by: .milliseconds(30))) {
            ran.withLock { $0 += 100 }
        }
        let cancelledSoon = DeadlineTimer.shared.schedule(at: .now.advanced(by: .milliseconds(20))) {
            ran.withLock { $0 += 10_000 }
        }
        DeadlineTimer.shared.cancel(cancelledSoon)
        try? await Task.sleep(for: .milliseconds(250))
        #expect(ran.value == 100)
        DeadlineTimer.shared.cancel(soon)
        // Other suites schedule deadlines on the same timer meanwhile: a bound, not a count.
        #expect(DeadlineTimer.shared.storedEntries < 1200, "\(DeadlineTimer.shared.storedEntries) entries kept")
    }
}
