import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@testable import HealthrunCheckers

/// Rate-limit headroom from response headers, as both providers send it.
@Suite struct RateLimitHeadersTests {
    @Test(arguments: [
        ("1s", 1.0), ("6m0s", 360), ("12ms", 0.012), ("1h2m3.5s", 3723.5), ("250us", 0.00025), ("250µs", 0.00025),
        ("0", 0), ("1.5m", 90), ("-2s", -2),
    ])
    func goDurations(text: String, seconds: Double) throws {
        let parsed = try #require(RateLimitHeaders.goDuration(text), "\(text)")
        #expect(abs(parsed - seconds) < 1e-9, "\(text)")
    }

    @Test(arguments: ["", "s", "1", "1x", "ms", "1 s", "one second", "1s2", "--1s", "1e3s"])
    func garbledDurationsAreNil(text: String) {
        #expect(RateLimitHeaders.goDuration(text) == nil, "\(text)")
    }

    static let now = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    static func values(_ metrics: [Metric]) -> [String: Double] {
        Dictionary(metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func anthropicHeadersWithRFC3339Resets() {
        let metrics = RateLimitHeaders.metrics(
            [
                ("anthropic-ratelimit-requests-limit", "4000"), ("anthropic-ratelimit-requests-remaining", "3999"),
                ("anthropic-ratelimit-requests-reset", "2025-12-01T00:00:01Z"),
                ("anthropic-ratelimit-tokens-limit", "480000"), ("Anthropic-RateLimit-Tokens-Remaining", "120000"),
                ("anthropic-ratelimit-tokens-reset", "2025-12-01T00:00:42.5Z"),
                ("anthropic-ratelimit-input-tokens-limit", "400000"),
                ("anthropic-ratelimit-input-tokens-remaining", "100000"),
                ("anthropic-ratelimit-output-tokens-limit", "80000"),
                ("anthropic-ratelimit-output-tokens-remaining", "20000"),
            ], now: Self.now)
        #expect(
            Self.values(metrics) == [
                "ratelimit_requests_remaining": 3999, "ratelimit_requests_limit": 4000,
                "ratelimit_tokens_remaining": 120_000, "ratelimit_tokens_limit": 480_000,
                "ratelimit_input_tokens_remaining": 100_000, "ratelimit_input_tokens_limit": 400_000,
                "ratelimit_output_tokens_remaining": 20_000, "ratelimit_output_tokens_limit": 80_000,
                "ratelimit_tokens_remaining_ratio": 0.25, "ratelimit_tokens_reset_s": 42.5,
            ])
        #expect(metrics.first { $0.name == "ratelimit_tokens_remaining_ratio" }?.unit == .ratio)
        #expect(metrics.first { $0.name == "ratelimit_requests_limit" }?.unit == .count)
        #expect(metrics.first { $0.name == "ratelimit_tokens_limit" }?.unit == .tokens)
        #expect(Set(metrics.map(\.name)).isSubset(of: RateLimitHeaders.metricNames))
    }

    @Test func openAIHeadersWithGoDurations() {
        let metrics = RateLimitHeaders.metrics(
            [
                ("x-ratelimit-limit-requests", "500"), ("x-ratelimit-remaining-requests", "499"),
                ("x-ratelimit-reset-requests", "120ms"), ("x-ratelimit-limit-tokens", "30000"),
                ("x-ratelimit-remaining-tokens", "29000"), ("x-ratelimit-reset-tokens", "6m0s"),
            ], now: Self.now)
        let values = Self.values(metrics)
        #expect(values["ratelimit_requests_remaining"] == 499 && values["ratelimit_requests_limit"] == 500)
        #expect(values["ratelimit_tokens_remaining"] == 29_000 && values["ratelimit_tokens_limit"] == 30_000)
        #expect(abs((values["ratelimit_tokens_remaining_ratio"] ?? 0) - 29.0 / 30) < 1e-12)
        #expect(values["ratelimit_tokens_reset_s"] == 360)
        #expect(metrics.count == 6)
    }

    @Test func missingAndGarbledHeadersAreLeftOut() {
        let metrics = RateLimitHeaders.metrics(
            [
                ("x-ratelimit-limit-tokens", "lots"), ("x-ratelimit-remaining-tokens", "29000"),
                ("x-ratelimit-reset-tokens", "soon"), ("anthropic-ratelimit-requests-remaining", "-5"),
                ("anthropic-ratelimit-tokens-reset", "tomorrow"), ("x-ratelimit-limit-requests", "nan"),
            ], now: Self.now)
        #expect(metrics.map(\.name) == ["ratelimit_tokens_remaining"], "no ratio without a limit, no reset")
        #expect(RateLimitHeaders.metrics([("content-type", "application/json")], now: Self.now).isEmpty)
    }

    /// The models check reports the headroom its answer carried, and judges thresholds on it.
    @Test func theModelsCheckReportsHeadroomAndAThresholdWarnsOnIt() async throws {
        let key = "sk-canary-ratelimit-0123456789"
        let server = try await LoopbackHTTPServer { request in
            guard request.header("Authorization") == "Bearer \(key)" else {
                return .json(401, #"{"error":{"message":"bad key","type":"invalid_request_error"}}"#)
            }
            return .json(
                200,
                #"{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"}]}"#,
                headers: [
                    ("x-ratelimit-limit-tokens", "30000"), ("x-ratelimit-remaining-tokens", "3000"),
                    ("x-ratelimit-reset-tokens", "6m0s"),
                ])
        }
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(
            CheckHarness.check(
                "models",
                """
                provider: openai
                url: \(server.baseURL)/v1/models
                api_key: \(key)
                thresholds:
                  - {metric: ratelimit_tokens_remaining_ratio, warn_below: 0.2}
                """))
        #expect(run.result.status == .warn, "\(run.result.message)")
        #expect(run.result.message.hasSuffix("ratelimit_tokens_remaining_ratio 10% < 20%"), "\(run.result.message)")
        #expect(Self.values(run.result.metrics)["ratelimit_tokens_reset_s"] == 360)
        #expect(Self.values(run.result.metrics)["model_count"] == 1)
    }
}
