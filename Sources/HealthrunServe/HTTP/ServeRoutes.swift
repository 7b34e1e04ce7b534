import Foundation
import HTTPTypes
import HealthrunCore
import HealthrunReporters
public import Hummingbird
import NIOCore

/// What `POST /-/reload` did.
public enum ReloadOutcome: Sendable {
    /// The new configuration runs.
    case reloaded(checks: Int)
    /// The new configuration is invalid; the running one stays. Diagnostics as `validate` prints them.
    case rejected(diagnostics: [String])
}

/// The HTTP surface of `healthrun serve`. Every answer comes from memory or the store; none
/// waits on a check.
public enum ServeRoutes {
    /// Builds the router.
    /// - Parameters:
    ///   - reload: re-reads checks.d and swaps it in when valid.
    ///   - http: limits, authentication and whether the lifecycle API is on.
    public static func router(
        runtime: ServeRuntime, reload: @escaping @Sendable () -> ReloadOutcome,
        http: ServeServer.HTTPOptions = ServeServer.HTTPOptions()
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: WebGuard(web: http.web, lifecycle: http.lifecycle))
        router.add(middleware: HeadRequests())
        router.add(middleware: ResponseCompression())
        /// Every GET route answers HEAD too (HeadRequests drops the body).
        func get<Output: ResponseGenerator>(
            _ path: RouterPath,
            _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Output
        ) {
            router.get(path, use: handler)
            router.on(path, method: .head, use: handler)
        }
        let state = runtime.state
        let now = runtime.options.now

        get("/") { _, _ in html(StatusPage.render(state, now: now())) }
        get("/healthz") { _, _ in text("ok\n") }
        get("/readyz") { _, _ in
            if let problem = state.storeProblem {
                return text("history cannot be written: \(problem)\n", status: .serviceUnavailable)
            }
            return state.isReady
                ? text("ready\n") : text("waiting for a first result of every check\n", status: .serviceUnavailable)
        }
        get("/api/v1/status") { _, _ in
            json(APIDocuments.status(state, defaultInterval: runtime.options.defaultInterval, now: now()))
        }
        get("/api/v1/checks/:name/results") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard state.latest(name) != nil || state.configuration.checks.contains(where: { $0.name == name }) else {
                return notFound(name)
            }
            let limitText = request.uri.queryParameters.get("limit") ?? "100"
            guard let limit = Int(limitText), (1...10_000).contains(limit) else {
                return json(
                    APIDocuments.error("limit must be a number from 1 to 10000, got '\(limitText)'"),
                    status: .badRequest)
            }
            return json(
                APIDocuments.results(check: name, try await runtime.store.recentResults(check: name, limit: limit)))
        }
        get("/api/v1/checks/:name/summary") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard state.configuration.checks.contains(where: { $0.name == name }) else { return notFound(name) }
            let window = request.uri.queryParameters.get("window") ?? "24h"
            guard let hours = windows[window] else {
                return json(
                    APIDocuments.error("unknown window '\(window)'; use one of: 24h, 7d, 30d, 90d"), status: .badRequest
                )
            }
            let rollup = try await summary(runtime, check: name, hours: hours, now: now())
            return json(APIDocuments.summary(check: name, window: window, rollup: rollup))
        }
        get("/api/v1/checks/:name/metrics") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard let check = state.configuration.checks.first(where: { $0.name == name }) else {
                return notFound(name)
            }
            let window = request.uri.queryParameters.get("window") ?? "24h"
            guard let hours = windows[window] else {
                return json(
                    APIDocuments.error("unknown window '\(window)'; use one of: 24h, 7d, 30d, 90d"), status: .badRequest
                )
            }
            // 24 h of raw points; longer windows from the hourly rollups (average, min, max).
            let resolution: Resolution? = hours > 24 ? .hourly : nil
            let since = now() - Int64(hours) * Resolution.hourly.rawValue
            var series = try await runtime.store.metricSeries(check: name, since: since, resolution: resolution)
            if let metric = request.uri.queryParameters.get("metric").map({ String($0) }) {
                let known = Set(series.map(\.name)).sorted()
                guard known.contains(metric) else {
                    return json(
                        APIDocuments.error(
                            "check '\(name)' has no metric '\(metric)'",
                            hints: [
                                known.isEmpty
                                    ? "it has reported no metric yet" : "its metrics: \(known.joined(separator: ", "))"
                            ]),
                        status: .badRequest)
                }
                series = series.filter { $0.name == metric }
            }
            // Raw points come every interval (at least a second); rollups every hour.
            let step =
                resolution.map { Int($0.rawValue / 1000) }
                ?? max(1, Int(check.interval(default: runtime.options.defaultInterval).seconds.rounded()))
            return json(APIDocuments.metrics(check: name, window: window, stepSeconds: step, series: series))
        }
        get("/api/v1/events") { request, _ in
            let check = request.uri.queryParameters.get("check").map { String($0) }
            if let check, !state.configuration.checks.contains(where: { $0.name == check }) { return notFound(check) }
            return json(APIDocuments.events(try await runtime.store.events(check: check, limit: 500)))
        }
        get("/api/v1/stream") { _, _ in
            guard let stream = state.subscribe(limit: http.limits.maxStreams) else {
                var headers = HTTPFields()
                headers[.retryAfter] = "5"
                return WebGuard<BasicRequestContext>.plain(
                    "\(http.limits.maxStreams) event streams are open; try again shortly\n",
                    status: .serviceUnavailable,
                    headers: headers)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            let hello = ByteBuffer(string: ": healthrun " + healthrunVersion + "\n\n")
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(hello)
                    for await frame in stream {
                        try await writer.write(ByteBuffer(string: frame))
                    }
                    try await writer.finish(nil)
                })
        }
        get("/checks/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard let check = state.configuration.checks.first(where: { $0.name == name }) else {
                return html(StatusPage.notFound(name), status: .notFound)
            }
            let window = request.uri.queryParameters.get("window").map { String($0) } ?? "24h"
            guard let hours = windows[window] else {
                return text("unknown window '\(window)'; use one of: 24h, 7d, 30d, 90d\n", status: .badRequest)
            }
            return html(
                CheckPage.render(
                    try await CheckPage.load(runtime, check: check, window: window, hours: hours, now: now())))
        }
        get("/badge/:file") { _, context in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".svg") else { return notFound(file) }
            let name = String(file.dropLast(4))
            guard state.configuration.checks.contains(where: { $0.name == name }) else { return notFound(name) }
            var headers = HTTPFields()
            headers[.contentType] = "image/svg+xml"
            headers[.cacheControl] = "no-cache"
            // Opened on its own, an SVG is a document: nothing in it may run.
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'"
            return Response(
                status: .ok, headers: headers,
                body: .init(
                    byteBuffer: ByteBuffer(string: Badge.render(name: name, status: state.latest(name)?.status))))
        }
        get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: ServeMetrics.render(runtime, now: now()))))
        }
        router.post("/-/reload") { _, _ in
            switch reload() {
            case .reloaded(let checks):
                return json(.object([("reloaded", .bool(true)), ("checks", .integer(checks))]))
            case .rejected(let diagnostics):
                return json(
                    APIDocuments.error("invalid configuration; the running one stays", hints: diagnostics),
                    status: .badRequest)
            }
        }
        return router
    }

    static let windows = ["24h": 24, "7d": 168, "30d": 720, "90d": 2160]

    /// A window's rollup: 24 h from memory, longer ones from the hourly rollups.
    static func summary(_ runtime: ServeRuntime, check: String, hours: Int, now: Int64) async throws -> Rollup {
        if hours <= 24 { return runtime.state.recentRollup(check, hours: hours, now: now) }
        let since = Resolution.hourly.bucket(now) - Int64(hours - 1) * Resolution.hourly.rawValue
        let buckets = try await runtime.store.rollups(check: check, resolution: .hourly, since: since)[check] ?? [:]
        var total = Rollup()
        for rollup in buckets.values { total.merge(rollup) }
        return total
    }

    static func notFound(_ name: String) -> Response {
        json(APIDocuments.error("no check named '\(name)'"), status: .notFound)
    }

    static func json(_ document: JSONText, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.compact() + "\n")))
    }

    /// Only the pages' own scripts may run, named by their SHA-256 (CSP level 2): an injected
    /// `<script>` or event handler attribute does not.
    static let contentSecurityPolicy: String = {
        let hashes = [StatusPage.script, CheckPage.script].map {
            "'sha256-" + Data(SHA256.digest(Array($0.utf8))).base64EncodedString() + "'"
        }
        return "default-src 'none'; style-src 'unsafe-inline'; script-src \(hashes.joined(separator: " ")); "
            + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }()

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xFrameOptions] = "DENY"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
