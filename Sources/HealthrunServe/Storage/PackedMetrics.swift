/// The byte layouts of metric history: a result's values in one blob, and a series' day of
/// hourly rollups in another.
///
/// A value is a varint: an integral value that a Double holds exactly (tokens, counts, bytes,
/// status codes) is `zigzag(value) << 1`, a few bytes; any other value is the varint 1 followed
/// by the Double's 8 bytes, little-endian. A result's blob is `[series id varint][value]…`; a
/// day's blob is `[hour 0–23][count varint][sum][min][max]…`, hours ascending.
enum PackedMetrics {
    /// One hour of a series: what the chart of a long window needs (average, min, max).
    struct Hour: Equatable {
        var count: Int64
        var sum: Double
        var min: Double
        var max: Double

        init(_ rollup: MetricRollup) {
            count = rollup.count
            sum = rollup.sum
            min = rollup.min
            max = rollup.max
        }

        init(count: Int64, sum: Double, min: Double, max: Double) {
            self.count = count
            self.sum = sum
            self.min = min
            self.max = max
        }

        mutating func merge(_ other: Hour) {
            count += other.count
            sum += other.sum
            min = Swift.min(min, other.min)
            max = Swift.max(max, other.max)
        }
    }

    /// A blob that does not decode (a damaged row): it reads as no values.
    struct Malformed: Error {}

    // MARK: A result's values

    static func values(_ values: [(series: Int64, value: Double)]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 6)
        for (series, value) in values {
            appendVarint(UInt64(series), to: &bytes)
            append(value, to: &bytes)
        }
        return bytes
    }

    static func values(from bytes: some RandomAccessCollection<UInt8>) throws(Malformed) -> [(
        series: Int64, value: Double
    )] {
        var reader = Reader(bytes: Array(bytes))
        var values: [(series: Int64, value: Double)] = []
        while !reader.atEnd {
            let series = Int64(truncatingIfNeeded: try reader.varint())
            values.append((series, try reader.value()))
        }
        return values
    }

    // MARK: A day of hours

    /// Hours by their index in the day (0–23).
    static func day(_ hours: [Int: Hour]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, hour) in hours.sorted(by: { $0.key < $1.key }) {
            bytes.append(UInt8(index))
            appendVarint(UInt64(hour.count), to: &bytes)
            append(hour.sum, to: &bytes)
            append(hour.min, to: &bytes)
            append(hour.max, to: &bytes)
        }
        return bytes
    }

    static func day(from bytes: some RandomAccessCollection<UInt8>) throws(Malformed) -> [Int: Hour] {
        var reader = Reader(bytes: Array(bytes))
        var hours: [Int: Hour] = [:]
        while !reader.atEnd {
            let index = Int(try reader.byte())
            guard index < 24 else { throw Malformed() }
            let count = Int64(truncatingIfNeeded: try reader.varint())
            hours[index] = Hour(count: count, sum: try reader.value(), min: try reader.value(), max: try reader.value())
        }
        return hours
    }

    // MARK: Values and varints

    /// Integers up to 2^53 are exact in a Double; -0 is kept as a Double so that it stays -0.
    private static let exactLimit = 9_007_199_254_740_992.0

    static func append(_ value: Double, to bytes: inout [UInt8]) {
        if value.rounded(.towardZero) == value, abs(value) <= exactLimit, !(value == 0 && value.sign == .minus) {
            let integer = Int64(value)
            let zigzag = UInt64(bitPattern: (integer << 1) ^ (integer >> 63))
            appendVarint(zigzag << 1, to: &bytes)
        } else {
            bytes.append(1)
            var bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
        }
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset >= bytes.count }

        mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed() }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                guard shift < 64 else { throw Malformed() }
                value |= UInt64(next & 0x7F) << shift
                if next < 0x80 { return value }
                shift += 7
            }
        }

        mutating func value() throws(Malformed) -> Double {
            let head = try varint()
            if head & 1 == 0 {
                let zigzag = head >> 1
                return Double(Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
            }
            guard head == 1, offset + 8 <= bytes.count else { throw Malformed() }
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return Double(bitPattern: bits)
        }
    }
}

extension MetricRollup {
    /// A stored hour as a rollup (an hour keeps no last value).
    init(_ hour: PackedMetrics.Hour) {
        self.init()
        count = hour.count
        sum = hour.sum
        min = hour.min
        max = hour.max
    }
}
