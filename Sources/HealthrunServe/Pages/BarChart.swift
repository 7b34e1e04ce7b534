import Foundation
import HealthrunCore
import HealthrunReporters

/// Stacked bars per UTC day, one colour per group (a model): the tokens a `usage` check saw
/// each day. Inline SVG, readable without JavaScript; every text escaped here.
struct BarChart {
    /// One stack's part: a group's value on a day (the day's start, unix ms).
    struct Part {
        var group: String
        var day: Int64
        var value: Double
    }

    var title: String
    var unit: Metric.Unit?
    var parts: [Part]

    func render() -> String {
        let e = Escaping.html
        let days = Set(parts.map(\.day)).sorted()
        let groups = Set(parts.map(\.group)).sorted()
        guard !days.isEmpty else { return "" }
        var totals: [Int64: Double] = [:]
        for part in parts { totals[part.day, default: 0] += max(0, part.value) }
        let top = totals.values.max() ?? 0
        let step = Chart.niceStep(max(top, 1e-9) / 4)
        let high = max(step, (top / step).rounded(.up) * step)
        let width = Chart.width
        let height = Chart.height
        let plotWidth = width - Chart.left - Chart.right
        let plotHeight = height - Chart.top - Chart.bottom
        let slot = plotWidth / Double(days.count)
        let barWidth = max(2, min(48, slot * 0.7))
        func y(_ value: Double) -> Double { Chart.top + (high - value) / high * plotHeight }
        func f(_ number: Double) -> String { String(format: "%.1f", number) }
        var svg = """
            <svg class="chart bars" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(e(title)) per day, \(days.count) days">
            <g class="grid">

            """
        var tick = 0.0
        while tick <= high + step / 2 {
            svg +=
                "<line x1=\"\(f(Chart.left))\" x2=\"\(f(width - Chart.right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\"/><text class=\"ylabel\" x=\"\(f(Chart.left - 6))\" y=\"\(f(y(tick)))\" dy=\"4\" text-anchor=\"end\">\(Chart.axisLabel(tick, unit: unit))</text>\n"
            tick += step
        }
        if let caption = Chart.axisCaption(unit) {
            svg +=
                "<text class=\"ylabel unit\" x=\"\(f(Chart.left + 6))\" y=\"\(f(Chart.top))\" dy=\"10\">\(caption)</text>\n"
        }
        let labelEvery = max(1, days.count / 10)
        for (index, day) in days.enumerated() where index % labelEvery == 0 {
            let x = Chart.left + slot * (Double(index) + 0.5)
            svg +=
                "<text class=\"xlabel\" x=\"\(f(x))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(APIDocuments.time(day).dropFirst(5).prefix(5))</text>\n"
        }
        svg += "</g>\n"
        for (index, day) in days.enumerated() {
            var base = 0.0
            let x = Chart.left + slot * (Double(index) + 0.5) - barWidth / 2
            for (groupIndex, group) in groups.enumerated() {
                let value = parts.filter { $0.day == day && $0.group == group }.reduce(0) { $0 + max(0, $1.value) }
                guard value > 0 else { continue }
                svg +=
                    "<rect class=\"bar s\(groupIndex % Chart.colours)\" x=\"\(f(x))\" y=\"\(f(y(base + value)))\" width=\"\(f(barWidth))\" height=\"\(f(y(base) - y(base + value)))\"><title>\(String(APIDocuments.time(day).prefix(10))) \(e(group)): \(e(Metric.format(value, unit: unit)))</title></rect>\n"
                base += value
            }
        }
        svg += "</svg>\n<ul class=\"legend\">"
        for (index, group) in groups.enumerated() {
            svg += "<li><span class=\"swatch s\(index % Chart.colours)\"></span>\(e(group))</li>"
        }
        return svg + "</ul>\n"
    }
}
