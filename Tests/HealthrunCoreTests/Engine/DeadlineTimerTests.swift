import Foundation
import HealthrunTesting
import Testing

@testable import HealthrunCore

@Suite struct DeadlineTimerTests {
    /// Fires in deadline order whatever the order of scheduling, and not before its deadline.
    @Test func firesInDeadlineOrderAndNotEarly() async {
        let fired = Locked<[(Int, Duration)]>([])
        let start = ContinuousClock.now
        // Waits for the last action (by deadline) to run, not for a guessed time.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for (index, milliseconds) in [(2, 120), (0, 40), (1, 80)] {
                _ = DeadlineTimer.shared.schedule(at: start.advanced(by: .milliseconds(milliseconds))) {
                    let count = fired.withLock {
                        $0.append((index, start.duration(to: .now)))
                        return $0.count
                    }
                    if count == 3 { done.resume() }
                }
            }
        }
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
        // Actions run in deadline order: once the one due at 30 ms ran, the cancelled one due
        // at 20 ms would have run before it.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            _ = DeadlineTimer.shared.schedule(at: .now.advanced(by: .milliseconds(30))) {
                ran.withLock { $0 += 100 }
                done.resume()
            }
            let cancelled = DeadlineTimer.shared.schedule(at: .now.advanced(by: .milliseconds(20))) {
                ran.withLock { $0 += 10_000 }
            }
            DeadlineTimer.shared.cancel(cancelled)
        }
        #expect(ran.value == 100)
        // Other suites schedule deadlines on the same timer meanwhile: a bound, not a count.
        #expect(DeadlineTimer.shared.storedEntries < 1200, "\(DeadlineTimer.shared.storedEntries) entries kept")
    }
}
