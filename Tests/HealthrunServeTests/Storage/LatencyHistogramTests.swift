import Foundation
import HealthrunServe
import Testing

@Suite struct LatencyHistogramTests {
    @Test func quantilesAreTheUpperBoundOfTheirBucket() {
        var histogram = LatencyHistogram()
        for ms in 1...100 { histogram.record(milliseconds: Double(ms)) }
        let p50 = histogram.quantile(0.5)!
        let p99 = histogram.quantile(0.99)!
        #expect(p50 >= 50 && p50 <= 50 * 1.415)
        #expect(p99 >= 99 && p99 <= 99 * 1.415)
        #expect(LatencyHistogram().quantile(0.5) == nil)
    }

    @Test func encodingRoundTripsAndIsSmall() {
        var histogram = LatencyHistogram()
        for _ in 0..<3000 { histogram.record(milliseconds: 12) }
        histogram.record(milliseconds: 900_000)
        let bytes = histogram.encoded
        #expect(bytes.count <= 6)
        #expect(LatencyHistogram(encoded: bytes) == histogram)
        // Garbage decodes to something, never traps.
        _ = LatencyHistogram(encoded: Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 200]))
    }
}
