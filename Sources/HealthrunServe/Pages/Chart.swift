import Foundation
import HealthrunCore
import HealthrunReporters

/// An inline SVG time chart that reads without JavaScript: a value axis in the metric's unit,
/// time ticks in UTC, a min/max band where the points are rollups, threshold lines and failure
/// marks. Every text in it is escaped here. The metric charts and the latency chart of the check
/// page are both drawn by it.
struct Chart {
    /// One series: a line (broken where data is missing) and its legend entry.
    struct Line {
        /// The legend text (a label set, or empty for a single series).
        var label: String
        /// Oldest first.
        var points: [MetricSeries.Point]
    }

    /// A horizontal threshold line.
    struct Rule: Hashable {
        var value: Double
        var status: CheckStatus
        /// `warn < 21 days`.
        var label: String
    }

    /// What the chart shows, for its accessible name (`latency`, `balance`).
    var title: String
    var unit: Metric.Unit?
    /// The window, unix ms. A chart with less history than the window spans its history.
    var start: Int64
    var end: Int64
    var lines: [Line]
    var rules: [Rule] = []
    /// Times of failures, drawn as red ticks.
    var marks: [Int64] = []

    static let width = 960.0
    static let height = 220.0
    static let left = 70.0
    static let right = 12.0
    static let top = 10.0
    static let bottom = 26.0
    static let colours = 6

    /// The bounds of those `thresholds` that judge `metric`, as lines.
    static func rules(_ thresholds: [Threshold], metric: String, unit: Metric.Unit?) -> [Rule] {
        var rules: [Rule] = []
        for threshold in thresholds where threshold.metric == metric {
            let labels =
                threshold.labels.isEmpty
                ? ""
                : " ("
                    + threshold.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                        separator: ",") + ")"
            let bounds: [(Double?, CheckStatus, String)] = [
                (threshold.failBelow, .fail, "<"), (threshold.warnBelow, .warn, "<"),
                (threshold.warnAbove, .warn, ">"), (threshold.failAbove, .fail, ">"),
            ]
            for case (let value?, let status, let sign) in bounds {
                rules.append(
                    Rule(
                        value: value, status: status,
                        label: "\(status.rawValue) \(sign) \(Metric.format(value, unit: unit))\(labels)"))
            }
        }
        return rules
    }

    /// Points per line at most; more are averaged into this many time buckets, each keeping
    /// its minimum and maximum as the band (a check every second has 86,400 points a day).
    static let maximumPoints = 720

    func render() -> String {
        let e = Escaping.html
        let drawn = lines.filter { !$0.points.isEmpty }.map {
            Line(label: $0.label, points: Self.downsample($0.points, to: Self.maximumPoints))
        }
        guard !drawn.isEmpty else {
            return "<p class=\"meta nodata\">No \(e(title)) data in this window yet.</p>\n"
        }
        // Time: the window, or the history when it is shorter (a new install is not a line at the edge).
        let first = (drawn.compactMap { $0.points.first?.at } + marks).min() ?? start
        let from = max(start, first - max((end - first) / 20, 1_000))
        let to = max(end, from + 10_000)
        // Values: every point, band and threshold; zero-based for quantities that are never negative.
        var values = drawn.flatMap { $0.points.flatMap { [$0.value, $0.min, $0.max].compactMap { $0 } } }
        values += rules.map(\.value)
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0
        var high = finite.max() ?? 1
        if low >= 0 { low = 0 }
        var step = Self.niceStep(max(high - low, abs(high) * 0.1, 1e-9) / 4)
        low = (low / step).rounded(.down) * step
        high = (high / step).rounded(.up) * step
        if high <= low {
            high = low + step
        }
        if (high - low) / step > 6 {
            step = Self.niceStep((high - low) / 4)
            low = (low / step).rounded(.down) * step
            high = (high / step).rounded(.up) * step
        }
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        func x(_ at: Int64) -> Double { Self.left + Double(at - from) / Double(to - from) * plotWidth }
        func y(_ value: Double) -> Double { Self.top + (high - value) / (high - low) * plotHeight }
        func f(_ number: Double) -> String { String(format: "%.1f", number) }

        let latest = drawn.map { line in
            (line.label.isEmpty ? "" : line.label + ": ")
                + Metric.format(line.points.last?.value ?? 0, unit: unit)
        }
        var svg = """
            <svg class="chart" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" aria-label="\(e(title)) from \(APIDocuments.time(from)) to \(APIDocuments.time(to)), latest \(e(latest.joined(separator: "; ")))">
            <g class="grid">

            """
        // Value axis: gridlines and labels in the unit.
        var tick = low
        while tick <= high + step / 2 {
            let at = f(y(tick))
            svg +=
                "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(at)\" y2=\"\(at)\"/><text class=\"ylabel\" x=\"\(f(Self.left - 6))\" y=\"\(at)\" dy=\"4\" text-anchor=\"end\">\(Self.axisLabel(tick, unit: unit))</text>\n"
            tick += step
        }
        if let caption = Self.axisCaption(unit) {
            svg +=
                "<text class=\"ylabel unit\" x=\"\(f(Self.left + 6))\" y=\"\(f(Self.top))\" dy=\"10\">\(caption)</text>\n"
        }
        // Time axis: ticks on round UTC times.
        let interval = Self.timeStep(to - from)
        var at = (from / interval + 1) * interval
        while at <= to {
            // Times of day, and the date (MM-DD) at midnight once the chart spans days.
            let text = APIDocuments.time(at)
            let label =
                interval < 60_000
                ? String(text.dropFirst(11).prefix(8))
                : interval < 86_400_000 && (at % 86_400_000 != 0 || to - from <= 86_400_000)
                    ? String(text.dropFirst(11).prefix(5)) : String(text.dropFirst(5).prefix(5))
            svg +=
                "<line x1=\"\(f(x(at)))\" x2=\"\(f(x(at)))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.height - Self.bottom + 4))\"/><text class=\"xlabel\" x=\"\(f(x(at)))\" y=\"\(f(Self.height - 6))\" text-anchor=\"middle\">\(label)</text>\n"
            at += interval
        }
        svg +=
            "<text class=\"xlabel\" x=\"\(f(Self.left - 6))\" y=\"\(f(Self.height - 6))\" text-anchor=\"end\">UTC</text>\n</g>\n"
        for mark in marks where mark >= from {
            svg +=
                "<line class=\"failtick\" x1=\"\(f(x(mark)))\" x2=\"\(f(x(mark)))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.height - Self.bottom))\"/>\n"
        }
        for (index, line) in drawn.enumerated() {
            let colour = "s\(index % Self.colours)"
            for segment in Self.segments(line.points) {
                let banded = segment.filter { $0.min != nil && $0.max != nil }
                if banded.count >= 2 {
                    let upper = banded.map { "\(f(x($0.at))),\(f(y($0.max ?? $0.value)))" }
                    let lower = banded.reversed().map { "\(f(x($0.at))),\(f(y($0.min ?? $0.value)))" }
                    svg += "<polygon class=\"band \(colour)\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
                }
                if segment.count >= 2 {
                    let points = segment.map { "\(f(x($0.at))),\(f(y($0.value)))" }.joined(separator: " ")
                    svg += "<polyline class=\"line \(colour)\" points=\"\(points)\"/>\n"
                }
                if segment.count <= 2 {
                    for point in segment {
                        svg +=
                            "<circle class=\"dot \(colour)\" cx=\"\(f(x(point.at)))\" cy=\"\(f(y(point.value)))\" r=\"3\"/>\n"
                    }
                }
            }
        }
        for rule in rules {
            let at = f(y(rule.value))
            svg +=
                "<line class=\"rule \(rule.status.rawValue)\" x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(at)\" y2=\"\(at)\"/><text class=\"rulelabel \(rule.status.rawValue)\" x=\"\(f(Self.left + 6))\" y=\"\(at)\" dy=\"-4\">\(e(rule.label))</text>\n"
        }
        svg += "</svg>\n"
        if drawn.count > 1 || !drawn[0].label.isEmpty {
            svg += "<ul class=\"legend\">"
            for index in drawn.indices {
                svg += "<li><span class=\"swatch s\(index % Self.colours)\"></span>\(e(latest[index]))</li>"
            }
            svg += "</ul>\n"
        }
        return svg
    }

    /// `points` (oldest first) in at most `limit` equal time buckets: each bucket's average at
    /// its mean time, with its smallest and largest value (or rollup bound) as min and max.
    static func downsample(_ points: [MetricSeries.Point], to limit: Int) -> [MetricSeries.Point] {
        guard points.count > limit, let first = points.first?.at, let last = points.last?.at, last > first else {
            return points
        }
        let width = Double(last - first + 1) / Double(limit)
        var result: [MetricSeries.Point] = []
        var index = 0
        while index < points.count {
            let bucket = Int(Double(points[index].at - first) / width)
            var count = 0.0
            var sum = 0.0
            var time = 0.0
            var low = Double.infinity
            var high = -Double.infinity
            while index < points.count, Int(Double(points[index].at - first) / width) == bucket {
                let point = points[index]
                count += 1
                sum += point.value
                time += Double(point.at - first)
                low = Swift.min(low, point.min ?? point.value)
                high = Swift.max(high, point.max ?? point.value)
                index += 1
            }
            result.append(
                MetricSeries.Point(at: first + Int64(time / count), value: sum / count, min: low, max: high))
        }
        return result
    }

    /// Points split where data is missing: a gap of more than three typical steps.
    static func segments(_ points: [MetricSeries.Point]) -> [[MetricSeries.Point]] {
        guard points.count > 2 else { return [points] }
        let gaps = zip(points.dropFirst(), points).map { $0.at - $1.at }.sorted()
        let typical = max(gaps[gaps.count / 2], 1)
        var segments: [[MetricSeries.Point]] = [[points[0]]]
        for (previous, point) in zip(points, points.dropFirst()) {
            if point.at - previous.at > typical * 3 {
                segments.append([point])
            } else {
                segments[segments.count - 1].append(point)
            }
        }
        return segments
    }

    /// A value-axis label: short (`150k`, `2.5M`, `84%`, `$12`), the unit named once above the
    /// axis (see ``axisCaption(_:)``) so the labels fit the margin.
    static func axisLabel(_ value: Double, unit: Metric.Unit?) -> String {
        switch unit {
        case .ratio: return short(value * 100) + "%"
        case .usd: return (value < 0 ? "-$" : "$") + short(abs(value))
        default: return short(value)
        }
    }

    /// The unit above the value axis, when its labels do not carry it.
    static func axisCaption(_ unit: Metric.Unit?) -> String? {
        switch unit {
        case .none, .ratio, .usd: nil
        case .some(let unit): unit.rawValue
        }
    }

    /// `950`, `1.2k`, `150k`, `2.5M`, `0.25`: three significant digits at most.
    static func short(_ value: Double) -> String {
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        for (scale, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= scale {
            return sign + trimmed(magnitude / scale) + suffix
        }
        return sign + trimmed(magnitude)
    }

    private static func trimmed(_ value: Double) -> String {
        var text = String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw * 0.999 {
            return factor * power
        }
        return 10 * power
    }

    /// A round tick interval (ms) giving at most eight ticks over `span`.
    static func timeStep(_ span: Int64) -> Int64 {
        let minute: Int64 = 60_000
        let candidates: [Int64] = [
            1_000, 5_000, 10_000, 30_000, minute, 5 * minute, 15 * minute, 30 * minute, 60 * minute, 180 * minute,
            360 * minute, 720 * minute,
            1_440 * minute, 2_880 * minute, 10_080 * minute, 20_160 * minute, 43_200 * minute,
        ]
        return candidates.first { span / $0 <= 8 } ?? candidates[candidates.count - 1]
    }

    static let css = """
        .chart{width:100%;height:auto;max-height:16rem;display:block;color:var(--fg)}.chart text{font:11px system-ui,sans-serif;fill:var(--muted)}
        .grid line{stroke:var(--line);stroke-width:1}.line{fill:none;stroke-width:1.8}.band{stroke:none;opacity:.18}.dot{stroke:none}
        .rule{stroke-width:1.2;stroke-dasharray:6 4}.rule.warn{stroke:var(--warn)}.rule.fail{stroke:var(--fail)}.chart text.rulelabel.warn{fill:var(--warn)}.chart text.rulelabel.fail{fill:var(--fail)}
        .failtick{stroke:var(--fail);stroke-width:1;opacity:.5}
        .s0{stroke:#0969da;fill:#0969da}.s1{stroke:#bf3989;fill:#bf3989}.s2{stroke:#1a7f37;fill:#1a7f37}.s3{stroke:#9a6700;fill:#9a6700}.s4{stroke:#8250df;fill:#8250df}.s5{stroke:#57606a;fill:#57606a}
        polyline.s0,polyline.s1,polyline.s2,polyline.s3,polyline.s4,polyline.s5{fill:none}rect.bar{stroke:none}
        .legend{list-style:none;padding:0;margin:.2rem 0 1rem;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;font-size:.85rem;color:var(--muted)}
        .swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:.15rem;margin-right:.35rem;vertical-align:-.1rem}.swatch.s0{background:#0969da}.swatch.s1{background:#bf3989}.swatch.s2{background:#1a7f37}.swatch.s3{background:#9a6700}.swatch.s4{background:#8250df}.swatch.s5{background:#57606a}
        """
}
