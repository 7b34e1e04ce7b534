import CLibPQ
import Foundation
public import HealthrunCore

/// `type: postgres` — connect through libpq, run a query, judge the answer.
public struct PostgresChecker: Checker {
    public static let typeName = "postgres"

    /// The fields of a postgres check.
    public struct Configuration: Decodable, Sendable {
        public var dsn: ConnectionString?
        public var host: String?
        public var port: Int?
        public var user: String?
        public var password: Secret?
        public var database: String?
        public var sslmode: String?
        public var query: String?
        public var expect: Expectation?
        public var readWrite: Bool?
        /// `columns`: the query's numeric columns become metrics (as `expect.metrics: true`).
        public var metrics: String?

        enum CodingKeys: String, CodingKey {
            case dsn, host, port, user, password, database, sslmode, query, expect, metrics
            case readWrite = "read_write"
        }
    }

    /// `expect:` of a postgres check.
    public struct Expectation: Decodable, Sendable {
        /// The first column of the first row, as text.
        public var value: String?
        /// Every numeric column of the query's first row (or of each row, labelled by a text
        /// column named `label`) becomes a metric.
        public var metrics: Bool?
    }

    /// Rows read for metrics at most.
    static let maximumMetricRows = 100

    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    let parameters: [(String, String)]
    let query: String
    let expectedValue: String?
    let readWrite: Bool
    let columnMetrics: Bool
    let address: String

    public var target: String? { address }

    public var metricNames: [String]? {
        // A query's columns are only known when it runs.
        columnMetrics ? nil : ["connect_ms", "query_ms", "replication_lag_s"]
    }

    /// Validates the configuration.
    public init(configuration: Configuration) throws {
        var parameters: [(String, String)] = []
        if let dsn = configuration.dsn {
            parameters.append(("dbname", dsn.value))
        }
        if let host = configuration.host { parameters.append(("host", host)) }
        if let port = configuration.port {
            guard (1...65535).contains(port) else {
                throw ConfigValueError("port \(port) is out of range 1-65535", field: ["port"])
            }
            parameters.append(("port", String(port)))
        }
        if let user = configuration.user { parameters.append(("user", user)) }
        if let password = configuration.password { parameters.append(("password", password.revealed())) }
        if let database = configuration.database {
            if configuration.dsn != nil {
                throw ConfigValueError("give the database in the dsn or in 'database', not both", field: ["database"])
            }
            parameters.append(("dbname", database))
        }
        if let sslmode = configuration.sslmode {
            guard Self.sslModes.contains(sslmode) else {
                throw ConfigValueError(
                    "invalid sslmode '\(sslmode)'",
                    field: ["sslmode"],
                    hint: Suggestions.nearest(to: sslmode, in: Self.sslModes).map { "did you mean '\($0)'?" }
                        ?? "use one of: \(Self.sslModes.joined(separator: ", "))"
                )
            }
            parameters.append(("sslmode", sslmode))
        }
        parameters.append(("application_name", "healthrun"))
        self.parameters = parameters
        let query = configuration.query ?? "SELECT 1"
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ConfigValueError("query is empty", field: ["query"])
        }
        self.query = query
        expectedValue = configuration.expect?.value
        readWrite = configuration.readWrite ?? false
        if let metrics = configuration.metrics, metrics != "columns" {
            throw ConfigValueError(
                "unknown metrics source '\(metrics)'", field: ["metrics"],
                hint: "write 'metrics: columns' for the query's numeric columns")
        }
        columnMetrics = configuration.metrics == "columns" || configuration.expect?.metrics == true
        let options = (try? ConnectionString.parse(configuration.dsn?.value ?? "")) ?? [:]
        let host = configuration.host ?? options["host"] ?? ProcessInfo.processInfo.environment["PGHOST"] ?? "localhost"
        let port =
            configuration.port.map(String.init) ?? options["port"] ?? ProcessInfo.processInfo.environment["PGPORT"]
            ?? "5432"
        address = "\(host):\(port)"
    }

    public func check(_ context: CheckContext) async throws -> CheckOutcome {
        let start = ContinuousClock.now
        let connection = try PostgresConnection.connect(
            parameters: parameters, target: address, deadline: context.ioDeadline)
        defer { connection.close() }
        let connected = start.duration(to: .now)
        let queryStart = ContinuousClock.now
        let answer = try connection.run(
            query, maxRows: columnMetrics ? Self.maximumMetricRows : 1, deadline: context.ioDeadline)
        let queryTime = queryStart.duration(to: .now)
        let value = answer.firstValue
        let version = connection.serverVersion
        var details: [String: DetailValue] = [
            "server_version": .string(version),
            "connect_ms": .double((connected.milliseconds * 10).rounded() / 10),
            "query_ms": .double((queryTime.milliseconds * 10).rounded() / 10),
        ]
        var metrics = columnMetrics ? Self.metrics(from: answer) : []
        metrics += [
            Metric("connect_ms", (connected.milliseconds * 10).rounded() / 10, unit: .ms),
            Metric("query_ms", (queryTime.milliseconds * 10).rounded() / 10, unit: .ms),
        ]
        if let value { details["value"] = .string(value) }
        // One round trip says whether this is a standby and how far behind it replays.
        let recovery = try connection.run(
            "SELECT pg_is_in_recovery(), extract(epoch FROM now() - pg_last_xact_replay_timestamp())",
            maxRows: 1, deadline: context.ioDeadline)
        let inRecovery = recovery.firstValue == "t"
        if inRecovery, let lag = recovery.rows.first?.last.flatMap({ $0 }).flatMap(Double.init) {
            metrics.append(Metric("replication_lag_s", (lag * 1000).rounded() / 1000, unit: .s))
        }
        let summary = "PostgreSQL \(version), \(Self.shortQuery(query)) in \(RunReport.formatMilliseconds(queryTime))"
        if let expectedValue, value != expectedValue {
            return .fail(
                "\(summary): expected \"\(expectedValue)\", got " + (value.map { "\"\($0)\"" } ?? "no rows"),
                details: details, metrics: metrics)
        }
        if readWrite, inRecovery {
            details["in_recovery"] = true
            return .fail(
                "server is a read-only standby (pg_is_in_recovery() is true), read_write required", details: details,
                metrics: metrics)
        }
        return .ok(summary, details: details, metrics: metrics)
    }

    /// The numeric columns of the first row, or of each row labelled by its text column `label`.
    static func metrics(from answer: PostgresConnection.QueryResult) -> [Metric] {
        let labelColumn = answer.columns.firstIndex { $0.name == "label" && !$0.isNumeric }
        let rows = labelColumn == nil ? Array(answer.rows.prefix(1)) : answer.rows
        var metrics: [Metric] = []
        for row in rows {
            var labels: [String: String] = [:]
            if let labelColumn, let label = row[labelColumn] { labels["label"] = label }
            for (index, column) in answer.columns.enumerated() where column.isNumeric {
                guard let text = row[index], let value = Double(text), value.isFinite,
                    let name = Metric.name(from: column.name)
                else { continue }
                metrics.append(Metric(name, value, labels: labels))
            }
        }
        return metrics
    }

    static func shortQuery(_ query: String) -> String {
        let oneLine = query.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return oneLine.count > 40 ? String(oneLine.prefix(40)) + "…" : oneLine
    }
}

extension CheckerRegistry {
    /// Registers `postgres`.
    public mutating func registerPostgres() {
        register(PostgresChecker.self, summary: "a PostgreSQL connection and query, through libpq") {
            try PostgresChecker(configuration: $0)
        }
    }
}
