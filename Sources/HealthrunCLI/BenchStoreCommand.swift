import ArgumentParser
import Foundation
import HealthrunCore
import HealthrunServe

/// `healthrun _bench-store`: writes synthetic history the way serve's writer does (batches of
/// one second's results) and prints the rate, for bench/serve_bench.py. Not for users.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_bench-store", abstract: "Store write benchmark (bench/ only).", shouldDisplay: false)

    @Option var db: String
    @Option var checks = 1000
    @Option var hours = 24
    @Option var batch = 1000
    /// Metrics per result, as an LLM check reports them (tokens by model, balance, TTFT, headroom).
    @Option var metrics = 0

    func run() async throws {
        let store = try ResultStore(path: db)
        let start = Int64(1_764_000_000_000)
        var state: UInt64 = 7
        var pending = WriteBatch()
        var written = 0
        let shapes: [(String, Metric.Unit?, [String: String])] = [
            ("tokens", .tokens, ["model": "sonnet", "window": "today"]),
            ("tokens", .tokens, ["model": "opus", "window": "today"]), ("balance", .tokens, [:]),
            ("ttft_ms", .ms, [:]), ("ratelimit_tokens_remaining_ratio", .ratio, [:]),
        ]
        let clock = ContinuousClock.now
        for minute in 0..<(hours * 60) {
            for check in 0..<checks {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let roll = state >> 58
                pending.results.append(
                    StoredResult(
                        check: "check-\(check)", at: start + Int64(minute) * 60_000 + Int64(check * 60_000 / checks),
                        status: roll < 62 ? .ok : .fail, durationMs: Double((state >> 40) % 3000) / 10 + 1,
                        message: roll < 62 ? "200 OK in 12 ms" : "connection refused to 127.0.0.1:1",
                        metrics: (0..<metrics).map { index in
                            let (name, unit, labels) = shapes[index % shapes.count]
                            // Tokens and balances are whole numbers; a time to first token and
                            // a headroom ratio are not (they take 9 bytes where integers take 3).
                            let drawn = Double((state >> 20) % 100_000)
                            let value = unit == .ms ? drawn / 10 : unit == .ratio ? drawn / 100_000 : drawn
                            var metric = Metric(name, value, unit: unit, labels: labels)
                            if index >= shapes.count { metric.labels["n"] = String(index) }
                            return metric
                        }))
                if pending.results.count == batch {
                    try await store.write(pending)
                    written += pending.results.count
                    pending = WriteBatch()
                }
            }
        }
        try await store.write(pending)
        written += pending.results.count
        let seconds = clock.duration(to: .now).seconds
        print("results=\(written) seconds=\(String(format: "%.2f", seconds)) rate=\(Int(Double(written) / seconds))")
    }
}
