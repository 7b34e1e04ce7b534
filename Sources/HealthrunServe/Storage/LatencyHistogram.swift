public import Foundation

/// Latencies in 40 logarithmic buckets, √2 apart from 1 ms (bucket 0 holds ≤ 1 ms, bucket 39
/// everything past 2^19 ms). A percentile is reported as the upper bound of the bucket that
/// holds it: never lower than the true value, at most 41 % higher. Kept per hour and per day in
/// the rollups, so percentiles over 90 days read 2,160 small rows, not 130,000 results.
public struct LatencyHistogram: Sendable, Hashable {
    /// The number of buckets.
    public static let bucketCount = 40
    /// Counts per bucket.
    public private(set) var counts: [UInt32]

    /// An empty histogram.
    public init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    /// The bucket of a latency in milliseconds.
    public static func bucket(milliseconds: Double) -> Int {
        guard milliseconds > 1 else { return 0 }
        return min(bucketCount - 1, Int((2 * log2(milliseconds)).rounded(.up)))
    }

    /// The upper bound of a bucket in milliseconds.
    public static func upperBound(ofBucket index: Int) -> Double {
        pow(2, Double(index) / 2)
    }

    /// Counts one latency.
    public mutating func record(milliseconds: Double) {
        counts[Self.bucket(milliseconds: milliseconds)] &+= 1
    }

    /// Adds another histogram's counts.
    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
    }

    /// The number of latencies counted.
    public var total: Int { counts.reduce(0) { $0 + Int($1) } }

    /// The `q` quantile (0...1) in milliseconds, `nil` when empty.
    public func quantile(_ q: Double) -> Double? {
        let total = total
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += Int(count)
            if seen >= rank { return Self.upperBound(ofBucket: index) }
        }
        return Self.upperBound(ofBucket: Self.bucketCount - 1)
    }

    /// Sparse bytes: (bucket, count as LEB128) for every non-empty bucket. A typical hour of one
    /// check touches two or three buckets: 6–10 bytes.
    public var encoded: Data {
        var bytes = Data()
        for (index, count) in counts.enumerated() where count > 0 {
            bytes.append(UInt8(index))
            var value = count
            repeat {
                var byte = UInt8(value & 0x7F)
                value >>= 7
                if value != 0 { byte |= 0x80 }
                bytes.append(byte)
            } while value != 0
        }
        return bytes
    }

    /// Decodes `encoded`; malformed bytes give what decoded before them.
    public init(encoded bytes: Data) {
        self.init()
        var iterator = bytes.makeIterator()
        while let index = iterator.next() {
            var value: UInt32 = 0
            var shift: UInt32 = 0
            while let byte = iterator.next() {
                value |= UInt32(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 || shift > 28 { break }
            }
            if Int(index) < Self.bucketCount { counts[Int(index)] &+= value }
        }
    }
}
