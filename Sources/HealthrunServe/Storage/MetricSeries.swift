import Foundation
public import HealthrunCore

/// One metric series of a check (a name and a label set) with its points over a window.
public struct MetricSeries: Sendable, Hashable {
    /// A point: a raw value, or a rollup's average with its min and max.
    public struct Point: Sendable, Hashable {
        /// Unix ms (a rollup's bucket start).
        public var at: Int64
        /// The value, or the bucket's average.
        public var value: Double
        /// The bucket's smallest value (rollups only).
        public var min: Double?
        /// The bucket's largest value (rollups only).
        public var max: Double?

        /// Creates a point.
        public init(at: Int64, value: Double, min: Double? = nil, max: Double? = nil) {
            self.at = at
            self.value = value
            self.min = min
            self.max = max
        }
    }

    /// The metric's name.
    public var name: String
    /// Its unit.
    public var unit: Metric.Unit?
    /// Its labels.
    public var labels: [String: String]
    /// Oldest first.
    public var points: [Point] = []

    /// Creates a series.
    public init(name: String, unit: Metric.Unit?, labels: [String: String], points: [Point] = []) {
        self.name = name
        self.unit = unit
        self.labels = labels
        self.points = points
    }

    /// Labels as the store keys a series by: compact JSON with sorted keys.
    static func canonical(_ labels: [String: String]) -> String {
        JSONText.object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).compact()
    }

    static func labels(fromCanonical text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}

/// A series' bucket: count, sum, min, max and the latest value (with when it was taken).
struct MetricRollup {
    var count: Int64 = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var lastAt = Int64.min
    var last = 0.0

    mutating func add(_ value: Double, at: Int64) {
        count += 1
        sum += value
        min = Swift.min(min, value)
        max = Swift.max(max, value)
        if at >= lastAt {
            lastAt = at
            last = value
        }
    }

    mutating func merge(_ other: MetricRollup) {
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        if other.lastAt >= lastAt {
            lastAt = other.lastAt
            last = other.last
        }
    }
}
