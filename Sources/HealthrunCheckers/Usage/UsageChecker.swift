import AsyncHTTPClient
import Foundation
public import HealthrunCore
import NIOHTTP1
import NIOSSL

/// Which provider a `usage` check reads.
public enum UsageProvider: String, Decodable, Sendable, CaseIterable {
    case anthropic, openai, gigachat, openrouter

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = UsageProvider(rawValue: text) else {
            let names = Self.allCases.map(\.rawValue)
            throw ConfigValueError(
                "unknown provider '\(text)'",
                hint: Suggestions.nearest(to: text, in: names).map { "did you mean '\($0)'?" }
                    ?? "use one of: \(names.joined(separator: ", "))")
        }
        self = value
    }

    var defaultURL: String {
        switch self {
        case .anthropic: "https://api.anthropic.com"
        case .openai: "https://api.openai.com"
        case .gigachat: "https://gigachat.devices.sberbank.ru"
        case .openrouter: "https://openrouter.ai"
        }
    }

    /// How its requests are authorised (Anthropic's header, GigaChat's token step, Bearer).
    var authorizationKind: ModelProvider {
        switch self {
        case .anthropic: .anthropic
        case .gigachat: .gigachat
        case .openai, .openrouter: .openai
        }
    }
}

/// `type: usage` — what an LLM account spent and has left, from the provider's own reports:
/// tokens per model and cost today and this month (Anthropic's and OpenAI's admin APIs),
/// GigaChat's prepaid balance, OpenRouter's key credits. Thresholds judge the numbers.
public struct UsageChecker: Checker {
    public static let typeName = "usage"
    /// SwiftNIO only: never blocks a thread.
    public static let mayBlock = false

    /// The fields of a usage check.
    public struct Configuration: Decodable, Sendable {
        public var provider: UsageProvider?
        public var url: String?
        public var apiKey: Secret?
        public var auth: ModelsAuth?
        public var authKey: Secret?
        public var scope: String?
        public var tokenURL: String?
        public var headers: HeaderFields?
        public var tls: TLSOptions?

        enum CodingKeys: String, CodingKey {
            case provider, url
            case apiKey = "api_key"
            case auth
            case authKey = "auth_key"
            case scope
            case tokenURL = "token_url"
            case headers, tls
        }
    }

    static let maximumPages = 20

    let provider: UsageProvider
    let url: String
    let authorization: ProviderAuthorization
    let extraHeaders: [(name: String, value: String)]
    let tlsConfiguration: TLSConfiguration?
    let http: HTTPClientProvider
    /// The current time (tests pin it).
    let now: @Sendable () -> Date

    public var target: String? { TargetText.url(url) }

    public var metricNames: [String]? { ["tokens", "requests", "cost_usd", "balance"] }

    /// Validates the configuration.
    public init(configuration: Configuration, provider http: HTTPClientProvider) throws {
        try self.init(configuration: configuration, provider: http, now: { Date() })
    }

    init(configuration: Configuration, provider http: HTTPClientProvider, now: @escaping @Sendable () -> Date) throws {
        guard let provider = configuration.provider else {
            throw ConfigValueError(
                "a usage check needs 'provider'", field: ["provider"],
                hint: "provider: anthropic, openai, gigachat or openrouter")
        }
        var url = configuration.url ?? provider.defaultURL
        while url.hasSuffix("/") { url.removeLast() }
        _ = try HTTPFetcher.validateURL(url, field: ["url"])
        self.provider = provider
        self.url = url
        self.http = http
        self.now = now
        extraHeaders = configuration.headers?.fields ?? []
        tlsConfiguration = try configuration.tls?.makeConfiguration()
        authorization = try ProviderAuthorization(
            apiKey: configuration.apiKey, auth: configuration.auth, authKey: configuration.authKey,
            scope: configuration.scope, tokenURL: configuration.tokenURL, provider: provider.authorizationKind,
            checkType: "usage")
        if provider != .gigachat, configuration.apiKey == nil, configuration.auth == nil {
            throw ConfigValueError(
                "usage from \(provider.rawValue) needs 'api_key'",
                hint: provider == .openrouter ? "api_key: ${OPENROUTER_API_KEY}" : "an admin key: api_key: ${ADMIN_KEY}"
            )
        }
    }

    /// A failure of one request, as the check reports it.
    struct Refusal: Error {
        var outcome: CheckOutcome
    }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let headers = try await authorization.headers(
            with: extraHeaders + [("Accept", "application/json")], client: http.client, tls: tlsConfiguration,
            context: context)
        let today = UsagePeriods(now: now())
        do {
            switch provider {
            case .anthropic: return try await anthropic(headers: headers, periods: today, context: context)
            case .openai: return try await openAI(headers: headers, periods: today, context: context)
            case .gigachat: return try await gigaChat(headers: headers, context: context)
            case .openrouter: return try await openRouter(headers: headers, context: context)
            }
        } catch let refusal as Refusal {
            return refusal.outcome
        }
    }

    /// GETs `path` under the base URL and parses the JSON answer; a non-2xx answer is a
    /// ``Refusal`` (`onForbidden` decides a 403).
    func get(
        _ path: String, headers: [(name: String, value: String)], context: CheckContext,
        onForbidden: CheckOutcome? = nil
    ) async throws -> DetailValue {
        let spec = HTTPRequestSpec(
            url: url + path, headers: headers, maxBody: 8 << 20, tlsConfiguration: tlsConfiguration)
        let response = try await HTTPFetcher.fetch(
            spec, client: http.client, deadline: context.ioDeadline, progress: context.progress)
        if response.status == 403, let onForbidden { throw Refusal(outcome: onForbidden) }
        if let judged = ProviderError.judge(response, credential: "API key") { throw Refusal(outcome: judged) }
        return try JSONBody.parse(response.body, truncated: response.truncated)
    }

    /// Follows `has_more` / `next_page` pages of a report, at most ``maximumPages``.
    func pages(
        _ path: String, pageParameter: String, headers: [(name: String, value: String)], context: CheckContext
    ) async throws -> [DetailValue] {
        var documents: [DetailValue] = []
        var next: String?
        repeat {
            let pagePath = next.map { path + "&\(pageParameter)=" + ProviderAuthorization.formEncode($0) } ?? path
            let document = try await get(pagePath, headers: headers, context: context)
            guard case .array? = document.value(at: "data") else {
                throw CheckFailure(
                    "unexpected JSON shape: no 'data' list in \(Snippet.of(Array(path.utf8), limit: 60))")
            }
            documents.append(document)
            next = document.value(at: "has_more") == .bool(true) ? document.string(at: "next_page") : nil
            guard documents.count < Self.maximumPages || next == nil else {
                throw Refusal(
                    outcome: .warn("more than \(Self.maximumPages) pages of \(path.prefix { $0 != "?" }); stopped"))
            }
        } while next != nil
        return documents
    }
}

/// The UTC day and month a usage report is read for.
struct UsagePeriods {
    let now: Date
    let dayStart: Date
    let monthStart: Date

    init(now: Date) {
        self.now = now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        dayStart = calendar.startOfDay(for: now)
        monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
    }

    /// `2026-12-01T00:00:00Z`.
    static func rfc3339(_ date: Date) -> String {
        String(Timestamp.iso8601(date).prefix(19)) + "Z"
    }
}

/// Sums of a report per model and window, turned into metrics.
struct UsageTotals {
    /// By model, type (input, output, cache_read, cache_write) and window (today, month).
    var tokens: [String: [String: [String: Double]]] = [:]
    var requests: [String: [String: Double]] = [:]
    var cost: [String: Double] = [:]

    mutating func addTokens(_ value: Double?, model: String, type: String, today: Bool) {
        guard let value, value.isFinite else { return }
        tokens[model, default: [:]][type, default: [:]]["month", default: 0] += value
        if today { tokens[model, default: [:]][type, default: [:]]["today", default: 0] += value }
    }

    mutating func addRequests(_ value: Double?, model: String, today: Bool) {
        guard let value, value.isFinite else { return }
        requests[model, default: [:]]["month", default: 0] += value
        if today { requests[model, default: [:]]["today", default: 0] += value }
    }

    mutating func addCost(_ usd: Double?, today: Bool) {
        guard let usd, usd.isFinite else { return }
        cost["month", default: 0] += usd
        if today { cost["today", default: 0] += usd }
    }

    var metrics: [Metric] {
        var metrics: [Metric] = []
        for window in ["today", "month"] {
            if let usd = cost[window] {
                metrics.append(Metric("cost_usd", usd, unit: .usd, labels: ["window": window]))
            }
        }
        for (model, types) in tokens.sorted(by: { $0.key < $1.key }) {
            for (type, windows) in types.sorted(by: { $0.key < $1.key }) {
                for window in ["today", "month"] {
                    metrics.append(
                        Metric(
                            "tokens", windows[window] ?? 0, unit: .tokens,
                            labels: ["model": model, "type": type, "window": window]))
                }
            }
        }
        for (model, windows) in requests.sorted(by: { $0.key < $1.key }) {
            for window in ["today", "month"] {
                metrics.append(
                    Metric("requests", windows[window] ?? 0, unit: .count, labels: ["model": model, "window": window]))
            }
        }
        return metrics
    }

    /// `this month 2.4M tokens, $12.50; today 120,000 tokens, $0.80`.
    var summary: String {
        func total(_ window: String) -> Double {
            tokens.values.reduce(0) { sum, types in sum + types.values.reduce(0) { $0 + ($1[window] ?? 0) } }
        }
        return ["month", "today"].map { window in
            var part = "\(window == "month" ? "this month" : "today") \(Metric.format(total(window), unit: .tokens))"
            if let usd = cost[window] { part += ", \(Metric.format((usd * 100).rounded() / 100, unit: .usd))" }
            return part
        }.joined(separator: "; ")
    }
}

extension UsageChecker {
    /// Anthropic's Admin API: the messages usage report by model and day since the month began,
    /// and the cost report (amounts are decimal strings in cents).
    func anthropic(headers: [(name: String, value: String)], periods: UsagePeriods, context: CheckContext)
        async throws -> CheckOutcome
    {
        let since = UsagePeriods.rfc3339(periods.monthStart)
        let todayStart = UsagePeriods.rfc3339(periods.dayStart)
        var totals = UsageTotals()
        let usage = try await pages(
            "/v1/organizations/usage_report/messages?starting_at=\(since)&bucket_width=1d&group_by%5B%5D=model",
            pageParameter: "page", headers: headers, context: context)
        for page in usage {
            for bucket in page.items(at: "data") {
                let today = bucket.string(at: "starting_at").map { $0.hasPrefix(todayStart.prefix(10)) } ?? false
                for result in bucket.items(at: "results") {
                    let model = result.string(at: "model") ?? "all"
                    totals.addTokens(
                        result.number(at: "uncached_input_tokens"), model: model, type: "input", today: today)
                    totals.addTokens(result.number(at: "output_tokens"), model: model, type: "output", today: today)
                    totals.addTokens(
                        result.number(at: "cache_read_input_tokens"), model: model, type: "cache_read", today: today)
                    let written = [
                        result.number(at: "cache_creation.ephemeral_5m_input_tokens"),
                        result.number(at: "cache_creation.ephemeral_1h_input_tokens"),
                    ].compactMap { $0 }
                    if !written.isEmpty {
                        totals.addTokens(written.reduce(0, +), model: model, type: "cache_write", today: today)
                    }
                }
            }
        }
        let costs = try await pages(
            "/v1/organizations/cost_report?starting_at=\(since)&bucket_width=1d", pageParameter: "page",
            headers: headers, context: context)
        for page in costs {
            for bucket in page.items(at: "data") {
                let today = bucket.string(at: "starting_at").map { $0.hasPrefix(todayStart.prefix(10)) } ?? false
                for result in bucket.items(at: "results") {
                    // "123.45" is 123.45 cents.
                    let cents = result.string(at: "amount").flatMap(Double.init) ?? result.number(at: "amount")
                    totals.addCost(cents.map { $0 / 100 }, today: today)
                }
            }
        }
        return .ok(totals.summary, metrics: totals.metrics)
    }

    /// OpenAI's organization usage (completions by model and day) and costs (USD) since the month began.
    func openAI(headers: [(name: String, value: String)], periods: UsagePeriods, context: CheckContext)
        async throws -> CheckOutcome
    {
        let since = Int(periods.monthStart.timeIntervalSince1970)
        let todayStart = Int(periods.dayStart.timeIntervalSince1970)
        var totals = UsageTotals()
        let usage = try await pages(
            "/v1/organization/usage/completions?start_time=\(since)&bucket_width=1d&group_by=model",
            pageParameter: "page", headers: headers, context: context)
        for page in usage {
            for bucket in page.items(at: "data") {
                let today = Int(bucket.number(at: "start_time") ?? 0) >= todayStart
                for result in bucket.items(at: "results") {
                    let model = result.string(at: "model") ?? "all"
                    let cached = result.number(at: "input_cached_tokens") ?? 0
                    totals.addTokens(
                        result.number(at: "input_tokens").map { max(0, $0 - cached) }, model: model, type: "input",
                        today: today)
                    totals.addTokens(result.number(at: "output_tokens"), model: model, type: "output", today: today)
                    totals.addTokens(
                        result.number(at: "input_cached_tokens"), model: model, type: "cache_read", today: today)
                    totals.addRequests(result.number(at: "num_model_requests"), model: model, today: today)
                }
            }
        }
        let costs = try await pages(
            "/v1/organization/costs?start_time=\(since)&bucket_width=1d", pageParameter: "page", headers: headers,
            context: context)
        for page in costs {
            for bucket in page.items(at: "data") {
                let today = Int(bucket.number(at: "start_time") ?? 0) >= todayStart
                for result in bucket.items(at: "results") {
                    totals.addCost(result.number(at: "amount.value"), today: today)
                }
            }
        }
        return .ok(totals.summary, metrics: totals.metrics)
    }

    /// GigaChat's prepaid balance per service, after the token step.
    func gigaChat(headers: [(name: String, value: String)], context: CheckContext) async throws -> CheckOutcome {
        let document = try await get(
            "/api/v1/balance", headers: headers, context: context,
            onForbidden: .warn("balance is only available to prepaid accounts (403 Forbidden)"))
        let entries = document.items(at: "balance")
        guard !entries.isEmpty else { throw CheckFailure("unexpected JSON shape: no 'balance' list") }
        var metrics: [Metric] = []
        for entry in entries {
            guard let service = entry.string(at: "usage"), let value = entry.number(at: "value") else { continue }
            metrics.append(Metric("balance", value, unit: .tokens, labels: ["service": service]))
        }
        let listed = metrics.map { "\($0.labels["service"] ?? "") \(Metric.format($0.value, unit: .tokens))" }
        return .ok("balance: " + listed.joined(separator: ", "), metrics: metrics)
    }

    /// OpenRouter's key: credits left of its limit, spend today and this month (USD).
    func openRouter(headers: [(name: String, value: String)], context: CheckContext) async throws -> CheckOutcome {
        let document = try await get("/api/v1/key", headers: headers, context: context)
        guard case .object? = document.value(at: "data") else {
            throw CheckFailure("unexpected JSON shape: no 'data' object")
        }
        var metrics: [Metric] = []
        var parts: [String] = []
        if let left = document.number(at: "data.limit_remaining") {
            metrics.append(Metric("balance", left, unit: .usd, labels: ["service": "openrouter"]))
            let limit = document.number(at: "data.limit").map { " of \(Metric.format($0, unit: .usd))" } ?? ""
            parts.append("\(Metric.format(left, unit: .usd))\(limit) left")
        } else {
            parts.append("no credit limit")
        }
        for (window, key) in [("today", "usage_daily"), ("month", "usage_monthly")] {
            guard let usd = document.number(at: "data.\(key)") else { continue }
            metrics.append(Metric("cost_usd", usd, unit: .usd, labels: ["window": window]))
            parts.append("\(window == "month" ? "this month" : "today") \(Metric.format(usd, unit: .usd))")
        }
        return .ok(parts.joined(separator: "; "), metrics: metrics)
    }
}
