import HealthrunCore
import HealthrunTesting
import Logging
import Testing

@Suite struct MetricTests {
    @Test(arguments: [
        ("cert_expiry_days", true), ("a", true), ("tokens_in_today2", true), ("2xx", false), ("Status", false),
        ("body-bytes", false), ("", false), ("_x", false), ("ü", false),
    ])
    func namesAreSnakeCase(name: String, valid: Bool) {
        #expect(Metric.isValidName(name) == valid)
    }

    @Test(
        arguments: [
            ("free /", "free"), ("TokensIn", "tokensin"), ("time (ms)", "time_ms"), ("5xx rate", "m_5xx_rate"),
            ("a--b", "a_b"), ("!!!", nil),
        ] as [(String, String?)])
    func anyLabelBecomesAValidName(label: String, name: String?) {
        #expect(Metric.name(from: label) == name)
        if let made = Metric.name(from: label) { #expect(Metric.isValidName(made)) }
    }

    @Test(
        arguments: [
            (84_000, Metric.Unit.tokens, "84,000 tokens"), (2_400_000, .tokens, "2.4M tokens"), (0.84, .ratio, "84%"),
            (12.5, .usd, "$12.5"), (350, .ms, "350 ms"), (1.25, .s, "1.25 s"), (200, nil, "200"), (-3, .count, "-3"),
            (1_000_000, nil, "1M"), (0.1234, nil, "0.123"),
        ] as [(Double, Metric.Unit?, String)])
    func valuesReadAsPeopleWriteThem(value: Double, unit: Metric.Unit?, text: String) {
        #expect(Metric(value == 0 ? "z" : "x", value, unit: unit).formattedValue == text)
    }
}

@Suite struct ThresholdTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var threshold: Threshold
        var value: Double
        var expected: CheckStatus?
    }

    static let below = Threshold(metric: "days", warnBelow: 21, failBelow: 7)
    static let above = Threshold(metric: "days", warnAbove: 100, failAbove: 200)
    static let cases = [
        Case(description: "above both lower bounds", threshold: below, value: 30, expected: nil),
        Case(description: "on the warn bound is not below it", threshold: below, value: 21, expected: nil),
        Case(description: "under warn_below", threshold: below, value: 20, expected: .warn),
        Case(description: "under fail_below", threshold: below, value: 6, expected: .fail),
        Case(description: "within the upper bounds", threshold: above, value: 100, expected: nil),
        Case(description: "over warn_above", threshold: above, value: 101, expected: .warn),
        Case(description: "over fail_above", threshold: above, value: 201, expected: .fail),
        Case(
            description: "a band: under it", threshold: Threshold(metric: "days", failBelow: 1, warnAbove: 9),
            value: 0, expected: .fail),
        Case(
            description: "a band: inside it", threshold: Threshold(metric: "days", failBelow: 1, warnAbove: 9),
            value: 5, expected: nil),
        Case(
            description: "a band: over it", threshold: Threshold(metric: "days", failBelow: 1, warnAbove: 9),
            value: 10, expected: .warn),
        Case(
            description: "only fail_above", threshold: Threshold(metric: "days", failAbove: 0), value: 1,
            expected: .fail),
    ]

    @Test(arguments: cases)
    func everyBoundCombination(_ testCase: Case) {
        #expect(testCase.threshold.judge(Metric("days", testCase.value))?.status == testCase.expected)
    }

    @Test func aBreachRaisesTheStatusNamesMetricValueBoundAndUnitAndNeverLowersAFail() {
        let metrics = [
            Metric("tokens_in_today", 2_400_000, unit: .tokens, labels: ["model": "sonnet"]),
            Metric("tokens_in_today", 3_000_000, unit: .tokens, labels: ["model": "opus"]),
        ]
        var outcome = CheckOutcome.ok("fine", metrics: metrics)
        let unjudged = outcome.judge([
            Threshold(metric: "tokens_in_today", labels: ["model": "sonnet"], warnAbove: 2_000_000),
            Threshold(metric: "balance", warnBelow: 1),
        ])
        #expect(outcome.status == .warn)
        #expect(outcome.message == "fine; tokens_in_today{model=sonnet} 2.4M tokens > 2M")
        #expect(outcome.metrics.map(\.breach) == [.warn, nil], "the labels filter leaves opus alone")
        #expect(unjudged.map(\.metric) == ["balance"])

        var failed = CheckOutcome.fail("refused", metrics: [Metric("days", 30)])
        _ = failed.judge([Threshold(metric: "days", warnBelow: 60)])
        #expect(failed.status == .fail)
    }

    @Test func theEngineJudgesThresholdsAndWarnsOfOnesNoMetricMatched() async throws {
        let configuration = try load([
            (
                "checks.d/a.yaml",
                """
                checks:
                  - name: cert
                    type: scripted
                    metrics: {cert_expiry_days: 10, body_bytes: 10}
                    thresholds:
                      - {metric: cert_expiry_days, warn_below: 21, fail_below: 7}
                      - {metric: missing_one, warn_above: 1}
                """
            )
        ]).get()
        let logged = LogRecorder()
        let report = await Engine(logger: Logger(label: "test") { _ in logged }).run(configuration)
        let result = try #require(report.checks.first)
        #expect(result.status == .warn)
        #expect(result.message == "ok; cert_expiry_days 10 < 21")
        #expect(result.metrics.first { $0.name == "cert_expiry_days" }?.breach == .warn)
        #expect(
            logged.messages.contains { $0.contains("threshold not judged: the check reported no metric 'missing_one'") }
        )
    }

    @Test func badThresholdsAreLocated() {
        let found = diagnostics([
            (
                "checks.d/a.yaml",
                """
                checks:
                  - name: a
                    type: scripted
                    declares: [cert_expiry_days, body_bytes]
                    thresholds:
                      - {metric: cert_expiry_day, warn_below: 21}
                      - {metric: body_bytes, warn_below: 5, fail_below: 9}
                      - {metric: body_bytes, warn_above: 9, fail_above: 5}
                      - {metric: body_bytes, fail_below: 10, warn_above: 5}
                      - {metric: body_bytes}
                      - {metric: Body, warn_above: 1}
                """
            )
        ])
        #expect(
            found == [
                "checks.d/a.yaml:6:18: error: check 'a' never reports metric 'cert_expiry_day'\n  hint: did you mean 'cert_expiry_days'?",
                "checks.d/a.yaml:7:42: error: warn_below (5) is below fail_below (9)\n  hint: as the value falls, warn comes first: warn_below ≥ fail_below",
                "checks.d/a.yaml:8:42: error: warn_above (9) is above fail_above (5)\n  hint: as the value rises, warn comes first: warn_above ≤ fail_above",
                "checks.d/a.yaml:9:9: error: every value of 'body_bytes' breaches: below 10 and above 5 overlap\n  hint: the *_below bounds must be under the *_above bounds",
                "checks.d/a.yaml:10:9: error: threshold on 'body_bytes' has no bound\n  hint: add warn_below, fail_below, warn_above or fail_above",
                "checks.d/a.yaml:11:18: error: invalid metric name 'Body'\n  hint: metric names are snake_case, like 'cert_expiry_days'",
            ], "\(found.joined(separator: "\n---\n"))")
    }
}
