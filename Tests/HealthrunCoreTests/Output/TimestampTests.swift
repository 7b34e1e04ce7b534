import Foundation
import Testing

@testable import HealthrunCore

@Suite struct TimestampTests {
    @Test func formatsLikeISO8601DateFormatter() {
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        reference.timeZone = TimeZone(identifier: "UTC")
        var state: UInt64 = 1
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_764_000_000.999),
            Date(timeIntervalSince1970: 951_782_400.5),  // 2000-02-29
            Date(timeIntervalSince1970: 4_102_444_799.001),  // 2099-12-31T23:59:59
        ]
        for _ in 0..<1000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            dates.append(Date(timeIntervalSince1970: Double((state >> 20) % 4_000_000_000_000) / 1000))
        }
        for date in dates {
            // Compared at whole milliseconds, which is what both print.
            let truncated = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
            #expect(Timestamp.iso8601(truncated) == reference.string(from: truncated), "\(date.timeIntervalSince1970)")
        }
    }
}
