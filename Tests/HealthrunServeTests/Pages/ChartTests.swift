import Foundation
import HealthrunCore
import Testing

@testable import HealthrunServe

/// The SVG charts of the check page, read as text: axes in the unit, UTC time ticks, the band,
/// threshold lines, gaps, escaping, and a short history spanning the chart.
@Suite struct ChartTests {
    static let now: Int64 = 1_764_547_200_000  // 2025-12-01T00:00:00Z
    static let day: Int64 = 86_400_000

    static func points(_ values: [Double], every step: Int64, endingAt end: Int64 = now) -> [MetricSeries.Point] {
        values.enumerated().map { index, value in
            MetricSeries.Point(at: end - Int64(values.count - 1 - index) * step, value: value)
        }
    }

    @Test(arguments: [
        (0.3, 0.5), (1.0, 1.0), (1.2, 2.0), (2.5, 5.0), (7.0, 10.0), (420.0, 500.0), (0.0004, 0.0005),
    ])
    func stepsAreOneTwoOrFiveTimesAPowerOfTen(raw: Double, step: Double) {
        #expect(abs(Chart.niceStep(raw) - step) < step * 1e-9, "\(raw)")
    }

    @Test(arguments: [
        (950.0, Metric.Unit?.none, "950"), (1_200, .tokens, "1.2k"), (150_000, .tokens, "150k"),
        (2_500_000, .tokens, "2.5M"), (0.25, .count, "0.25"), (0.84, .ratio, "84%"), (12, .usd, "$12"),
        (-3, nil, "-3"),
    ])
    func axisLabelsAreShort(value: Double, unit: Metric.Unit?, label: String) {
        #expect(Chart.axisLabel(value, unit: unit) == label)
    }

    @Test func timeTicksAreRoundAndAtMostEight() {
        #expect(Chart.timeStep(Self.day) == 3 * 3_600_000)
        #expect(Chart.timeStep(7 * Self.day) == Self.day)
        #expect(Chart.timeStep(90 * Self.day) == 14 * Self.day)
        #expect(Chart.timeStep(10 * 60_000) == 5 * 60_000)
        #expect(Chart.timeStep(20_000) == 5_000)
    }

    @Test func aDayChartHasValueAxisInItsUnitTimeTicksAndThresholdLines() {
        let chart = Chart(
            title: "balance", unit: .tokens, start: Self.now - Self.day, end: Self.now,
            lines: [Chart.Line(label: "", points: Self.points([150_000, 120_000, 84_000], every: 12 * 3_600_000))],
            rules: Chart.rules(
                [Threshold(metric: "balance", warnBelow: 100_000, failBelow: 10_000)], metric: "balance",
                unit: .tokens))
        let svg = chart.render()
        #expect(svg.contains("<svg class=\"chart\""))
        #expect(svg.contains(">150k</text>") && svg.contains(">tokens</text>"), "short labels, the unit above")
        #expect(svg.contains(">0</text>"), "a quantity that is never negative starts at zero")
        #expect(svg.contains(">03:00</text>") && svg.contains(">21:00</text>"), "3-hour ticks on UTC times")
        #expect(svg.contains(">UTC</text>"))
        #expect(svg.contains("class=\"rule warn\"") && svg.contains(">warn &lt; 100,000 tokens</text>"))
        #expect(svg.contains("class=\"rule fail\"") && svg.contains(">fail &lt; 10,000 tokens</text>"))
        #expect(svg.components(separatedBy: "<polyline").count == 2, "one line")
        #expect(!svg.contains("<polygon"), "raw points have no band")
        #expect(svg.contains("latest 84,000 tokens"))
    }

    @Test func rollupsDrawAMinMaxBandAndLongWindowsTickByDays() {
        let points = (0..<5).map { index in
            MetricSeries.Point(
                at: Self.now - Int64(4 - index) * Self.day, value: 50, min: 20, max: 90)
        }
        let svg = Chart(
            title: "ttft_ms", unit: .ms, start: Self.now - 7 * Self.day, end: Self.now,
            lines: [Chart.Line(label: "", points: points)]
        ).render()
        #expect(svg.contains("<polygon class=\"band s0\""))
        #expect(svg.contains(">11-28</text>") && svg.contains(">12:00</text>"), "midnights read MM-DD")
        #expect(!svg.contains(">00:00</text>"))
        #expect(svg.contains(">100</text>") && svg.contains(">ms</text>"))
    }

    @Test func aShortHistorySpansTheChartInsteadOfSittingAtTheEdge() throws {
        let svg = Chart(
            title: "latency", unit: .ms, start: Self.now - Self.day, end: Self.now,
            lines: [Chart.Line(label: "", points: Self.points([12, 15, 11, 14], every: 60_000))]
        ).render()
        let line = try #require(svg.firstMatch(of: /<polyline class="line s0" points="([^"]+)"/)?.1)
        let xs = line.split(separator: " ").compactMap { Double($0.split(separator: ",")[0]) }
        #expect(xs.count == 4)
        #expect(try #require(xs.first) < 300, "the first point is not pressed against the right edge: \(xs)")
        #expect(svg.contains(">23:5"), "minute ticks for a few minutes of history")
    }

    @Test func missingDataBreaksTheLineAndLoneValuesAreDots() {
        var points = Self.points([1, 2, 3, 4], every: 60_000, endingAt: Self.now - 3_600_000)
        points += Self.points([5, 6, 7], every: 60_000)
        #expect(Chart.segments(points).map(\.count) == [4, 3])
        let svg = Chart(
            title: "x", unit: nil, start: Self.now - Self.day, end: Self.now,
            lines: [Chart.Line(label: "", points: [MetricSeries.Point(at: Self.now, value: 3)])]
        ).render()
        #expect(svg.contains("<circle class=\"dot s0\"") && !svg.contains("<polyline"))
    }

    @Test func labelsAndTitlesAreEscapedAndSeveralSeriesGetALegend() {
        let hostile = "<script>document.title='pwned'</script>"
        let svg = Chart(
            title: "tokens", unit: .tokens, start: Self.now - Self.day, end: Self.now,
            lines: [
                Chart.Line(label: "model=" + hostile, points: Self.points([1, 2], every: 60_000)),
                Chart.Line(label: "model=opus", points: Self.points([3, 4], every: 60_000)),
            ]
        ).render()
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("model=&lt;script&gt;"))
        #expect(svg.contains("<ul class=\"legend\">") && svg.contains("class=\"swatch s1\""))
    }

    @Test func noPointsSayNoData() {
        let text = Chart(title: "balance", unit: .tokens, start: 0, end: Self.now, lines: []).render()
        #expect(text.contains("No balance data in this window yet."))
    }

    /// A check every second: 86,400 points a day become at most 720 averages with their band.
    @Test func aDayOfSecondsIsAveragedIntoBucketsThatKeepTheExtremes() {
        let points = (0..<86_400).map { second in
            MetricSeries.Point(at: Self.now - Int64(86_399 - second) * 1000, value: second == 40_000 ? 900 : 10)
        }
        let reduced = Chart.downsample(points, to: Chart.maximumPoints)
        #expect(reduced.count <= Chart.maximumPoints && reduced.count >= Chart.maximumPoints - 1)
        #expect(reduced.map(\.at) == reduced.map(\.at).sorted())
        #expect(reduced.contains { $0.max == 900 }, "the spike survives as a band's top")
        #expect(reduced.allSatisfy { $0.min == 10 })
        let svg = Chart(
            title: "latency", unit: .ms, start: Self.now - Self.day, end: Self.now,
            lines: [Chart.Line(label: "", points: points)]
        ).render()
        #expect(svg.utf8.count < 60_000, "\(svg.utf8.count) bytes")
        #expect(svg.contains("<polygon class=\"band s0\""))
        #expect(Chart.downsample(Array(points.prefix(100)), to: 720).count == 100, "few points stay as they are")
    }

    @Test func barsStackEachDaysModelsWithALegend() throws {
        let day: Int64 = 86_400_000
        var parts: [BarChart.Part] = []
        for index in 0..<3 {
            parts.append(BarChart.Part(group: "sonnet", day: Self.now - Int64(index) * day, value: 1_000))
            parts.append(BarChart.Part(group: "<b>opus</b>", day: Self.now - Int64(index) * day, value: 500))
        }
        let svg = BarChart(title: "tokens", unit: .tokens, parts: parts).render()
        #expect(svg.components(separatedBy: "<rect class=\"bar").count == 7, "two parts a day for three days")
        #expect(svg.contains(">11-29</text>") && svg.contains(">12-01</text>"))
        #expect(svg.contains(">1.5k</text>") || svg.contains(">2k</text>"), "the axis reaches the day's total")
        #expect(svg.contains("&lt;b&gt;opus&lt;/b&gt;") && !svg.contains("<b>"))
        // On a day the second part sits on the first: its top is higher (smaller y).
        let ys = svg.matches(of: /<rect class="bar s\d" x="[\d.]+" y="([\d.]+)"/).compactMap { Double($0.1) }
        #expect(ys.count == 6 && ys[1] < ys[0], "\(ys)")
        #expect(BarChart(title: "tokens", unit: .tokens, parts: []).render().isEmpty)
    }
}
