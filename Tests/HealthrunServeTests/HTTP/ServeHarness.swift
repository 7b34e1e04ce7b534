import AsyncHTTPClient
import Foundation
import HealthrunCore
import HealthrunServe
import HealthrunTesting
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// An HTTP client that shows answers as they came: `HTTPClient.shared` is browser-like, asks for
/// gzip on its own and unpacks it, which would hide what the server sent. Lives as long as the
/// test process.
let rawClient = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(decompression: .disabled))

extension ServeServer.HTTPOptions {
    /// The defaults with `POST /-/reload` allowed, as `--enable-lifecycle` does.
    static var lifecycleOn: Self {
        var options = Self()
        options.lifecycle = true
        return options
    }
}

/// A serve runtime and its HTTP surface on a loopback port, with fast intervals and batches.
final class ServeHarness: Sendable {
    let runtime: ServeRuntime
    let port: Int
    let dbPath: String
    private let server: ServeServer
    private let task: Task<Void, Never>

    static func path() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("healthrun-serve-\(UUID())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("history.sqlite").path
    }

    static func check(
        _ name: String, _ outcomes: [CheckOutcome], interval: Duration = .milliseconds(100), group: String? = nil,
        dependsOn: [String] = [], alert: AlertPolicy? = nil
    ) -> (CheckDefinition, TestCheckers.Scripted) {
        let checker = TestCheckers.Scripted(outcomes: outcomes)
        var definition = CheckDefinition(
            name: name, type: "scripted", timeout: .seconds(2), group: group, dependsOn: dependsOn,
            source: SourceLocation(file: "checks.d/test.yaml", line: 1, column: 3), checker: checker)
        definition.interval = interval
        definition.alert = alert
        return (definition, checker)
    }

    init(
        configuration: LoadedConfiguration, dbPath: String = ServeHarness.path(),
        alertWindow: Duration = .milliseconds(100), alertBackoff: Duration = .milliseconds(20),
        alertRequestTimeout: Duration = .seconds(10),
        reload: @escaping @Sendable () -> ReloadOutcome = { .reloaded(checks: 0) },
        http: ServeServer.HTTPOptions = .lifecycleOn
    ) async throws {
        self.dbPath = dbPath
        var options = ServeRuntime.Options()
        options.batchInterval = .milliseconds(50)
        options.alertWindow = alertWindow
        options.alertBackoff = alertBackoff
        options.alertRequestTimeout = alertRequestTimeout
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let runtime = try ServeRuntime(
            configuration: configuration, store: try ResultStore(path: dbPath), engine: Engine(logger: logger),
            options: options, logger: logger)
        self.runtime = runtime
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = try ServeServer(
            runtime: runtime, reload: reload, host: "127.0.0.1", port: 0, http: http, logger: logger,
            serverLogger: logger,
            onListening: { port in
                continuation.yield(port)
                continuation.finish()
            })
        self.server = server
        task = Task { try? await server.run() }
        var bound = 0
        for await port in ports { bound = port }
        port = bound
    }

    /// Stops the server and the runtime (which commits what is pending), as SIGTERM does.
    func stop() async {
        await server.stop()
        await task.value
    }

    struct Reply {
        var status: Int
        var headers: [(String, String)]
        var body: String
        var bytes: ByteBuffer
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        }
    }

    func get(_ path: String, method: HTTPMethod = .GET, acceptEncoding: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let acceptEncoding { request.headers.add(name: "Accept-Encoding", value: acceptEncoding) }
        let response = try await rawClient.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 10 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: body), bytes: body)
    }

    /// How many results of `check` the API has (up to 10,000).
    func resultCount(_ check: String) async throws -> Int {
        (try await get("/api/v1/checks/\(check)/results?limit=10000").json()["results"] as? [Any])?.count ?? 0
    }

    /// Polls until `condition` holds or `limit` passes.
    func waitUntil(
        _ what: String, limit: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
    }
}
