import Foundation
import HealthrunCore
import HealthrunServe
import Testing

@Suite struct AlertTrackerTests {
    typealias Notice = AlertTracker.Notice

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var policy: AlertPolicy
        /// One letter per result a minute apart: o ok, w warn, f fail, s skipped.
        var results: String
        /// The notices expected, by result index.
        var expected: [Int: [String]]
        var description: String { name }
    }

    static func kind(_ notice: Notice) -> String {
        switch notice {
        case .down: "down"
        case .up(let ms): "up \(ms / 60_000)m"
        case .reminder(_, let ms): "remind \(ms / 60_000)m"
        case .flapping: "flapping"
        case .settled(let isDown, _): isDown ? "settled down" : "settled up"
        }
    }

    static let cases: [Case] = [
        Case(name: "down after 3 failures", policy: AlertPolicy(after: 3), results: "offf", expected: [3: ["down"]]),
        Case(name: "two failures say nothing", policy: AlertPolicy(after: 3), results: "offoffo", expected: [:]),
        Case(
            name: "up after 2 passes, with how long it was down", policy: AlertPolicy(after: 2, resolveAfter: 2),
            results: "offffoo", expected: [2: ["down"], 6: ["up 5m"]]),
        Case(
            name: "warn passes", policy: AlertPolicy(after: 1, resolveAfter: 1), results: "fw",
            expected: [0: ["down"], 1: ["up 1m"]]),
        Case(
            name: "skipped changes nothing", policy: AlertPolicy(after: 2, resolveAfter: 1), results: "fsfsso",
            expected: [2: ["down"], 5: ["up 5m"]]),
        Case(
            name: "one pass while down does not resolve at resolve_after 2",
            policy: AlertPolicy(after: 1, resolveAfter: 2),
            results: "fofoo", expected: [0: ["down"], 4: ["up 4m"]]),
        Case(
            name: "reminders every remind while down",
            policy: AlertPolicy(after: 1, resolveAfter: 1, remind: .seconds(180)),
            results: "ffffffff", expected: [0: ["down"], 3: ["remind 3m"], 6: ["remind 6m"]]),
        Case(
            name: "flapping is announced once and muted until it settles",
            policy: AlertPolicy(after: 1, resolveAfter: 1),
            results: "fofofofofofoooo",
            expected: [
                0: ["down"], 1: ["up 1m"], 2: ["down"], 3: ["up 1m"], 4: ["down"], 5: ["up 1m"], 6: ["flapping"],
                12: ["settled up"],
            ]),
        Case(
            name: "flapping that settles down reports down",
            policy: AlertPolicy(after: 2, resolveAfter: 2),
            results: "ooffooffooffoffffff",
            expected: [
                3: ["down"], 5: ["up 3m"], 7: ["down"], 9: ["up 3m"], 11: ["down"], 12: ["flapping"],
                16: ["settled down"],
            ]),
    ]

    @Test(arguments: cases)
    func table(_ testCase: Case) {
        var tracker = AlertTracker()
        var seen: [Int: [String]] = [:]
        for (index, letter) in testCase.results.enumerated() {
            let status: CheckStatus =
                switch letter {
                case "o": .ok
                case "w": .warn
                case "f": .fail
                default: .skipped
                }
            let notices = tracker.observe(
                status, message: "result \(index)", at: Int64(index) * 60_000, policy: testCase.policy)
            if !notices.isEmpty { seen[index] = notices.map(Self.kind) }
        }
        #expect(seen == testCase.expected)
    }

    @Test func stateSurvivesARestartWithoutASecondDown() throws {
        var tracker = AlertTracker()
        let policy = AlertPolicy(after: 2, resolveAfter: 1)
        _ = tracker.observe(.fail, message: "refused", at: 0, policy: policy)
        #expect(tracker.observe(.fail, message: "refused", at: 60_000, policy: policy).count == 1)
        let saved = try JSONEncoder().encode(tracker)
        var restored = try JSONDecoder().decode(AlertTracker.self, from: saved)
        #expect(restored.isDown)
        #expect(restored.observe(.fail, message: "refused", at: 120_000, policy: policy).isEmpty)
        #expect(restored.observe(.ok, message: "fine", at: 180_000, policy: policy) == [.up(downForMs: 180_000)])
    }
}
