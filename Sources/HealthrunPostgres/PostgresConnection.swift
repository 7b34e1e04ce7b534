import CLibPQ
import Foundation
import HealthrunCore

/// A libpq connection driven without blocking calls: `PQconnectPoll` and `PQsendQuery` with
/// `poll(2)` in short slices, so the deadline holds to the millisecond and cancellation is seen.
final class PostgresConnection {
    private let pq: LibPQ
    private let connection: OpaquePointer
    private let target: String

    private init(pq: LibPQ, connection: OpaquePointer, target: String) {
        self.pq = pq
        self.connection = connection
        self.target = target
    }

    static func connect(parameters: [(String, String)], target: String, deadline: ContinuousClock.Instant) throws
        -> PostgresConnection
    {
        let pq: LibPQ
        do {
            pq = try LibPQ.load()
        } catch {
            throw CheckFailure(error.description)
        }
        let keywords = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let raw = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordPointer in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointer in
                pq.connectStartParams(keywordPointer.baseAddress, valuePointer.baseAddress, 1)
            }
        }
        guard let raw else { throw CheckFailure("cannot start a PostgreSQL connection (out of memory)") }
        let connection = PostgresConnection(pq: pq, connection: raw, target: target)
        do {
            try connection.finishConnecting(deadline: deadline)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func finishConnecting(deadline: ContinuousClock.Instant) throws {
        if pq.status(connection) == CONNECTION_BAD { throw CheckFailure(describeError()) }
        var state = PGRES_POLLING_WRITING
        while true {
            switch state {
            case PGRES_POLLING_OK:
                _ = pq.setnonblocking(connection, 1)
                return
            case PGRES_POLLING_FAILED:
                throw CheckFailure(describeError())
            case PGRES_POLLING_READING:
                try wait(for: Int16(POLLIN), deadline: deadline, doing: "connecting")
            default:
                try wait(for: Int16(POLLOUT), deadline: deadline, doing: "connecting")
            }
            state = pq.connectPoll(connection)
        }
    }

    /// Waits until the socket is ready, in slices of at most 50 ms, checking the deadline and
    /// cancellation between them.
    private func wait(for events: Int16, deadline: ContinuousClock.Instant, doing activity: String) throws {
        while true {
            if Task.isCancelled { throw CancellationError() }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw CheckFailure(
                    "no answer from PostgreSQL at \(target) while \(activity) (the server accepted but did not respond in time)"
                )
            }
            var descriptor = pollfd(fd: pq.socket(connection), events: events, revents: 0)
            guard descriptor.fd >= 0 else { throw CheckFailure(describeError()) }
            let slice = Int32(min(50, max(1, remaining.milliseconds.rounded(.up))))
            let ready = poll(&descriptor, 1, slice)
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw CheckFailure("poll failed: \(String(cString: strerror(errno)))") }
        }
    }

    /// Runs `query` and returns the first column of the first row (`nil` when no rows).
    /// The first result of a query: its columns and up to `maxRows` rows, as text.
    struct QueryResult {
        struct Column {
            var name: String
            /// Whether the column's type is a number (int2/4/8, oid, float4/8, numeric).
            var isNumeric: Bool
        }

        var columns: [Column] = []
        var rows: [[String?]] = []

        /// The first column of the first row.
        var firstValue: String? { rows.first?.first ?? nil }
    }

    /// OIDs of the numeric types: int8, int2, int4, oid, float4, float8, numeric.
    static let numericTypes: Set<Oid> = [20, 21, 23, 26, 700, 701, 1700]

    /// The first column of the first row of `query`'s first result, as text.
    func firstValue(of query: String, deadline: ContinuousClock.Instant) throws -> String? {
        try run(query, maxRows: 1, deadline: deadline).firstValue
    }

    /// Runs `query` and returns its first result (at most `maxRows` rows kept).
    func run(_ query: String, maxRows: Int, deadline: ContinuousClock.Instant) throws -> QueryResult {
        guard pq.sendQuery(connection, query) == 1 else { throw CheckFailure(describeError()) }
        while true {
            let flushed = pq.flush(connection)
            if flushed == 0 { break }
            if flushed < 0 { throw CheckFailure(describeError()) }
            try wait(for: Int16(POLLOUT | POLLIN), deadline: deadline, doing: "sending the query")
            _ = pq.consumeInput(connection)
        }
        var answer = QueryResult()
        var failure: String?
        var sawResult = false
        while true {
            while pq.isBusy(connection) == 1 {
                try wait(for: Int16(POLLIN), deadline: deadline, doing: "waiting for the query result")
                guard pq.consumeInput(connection) == 1 else { throw CheckFailure(describeError()) }
            }
            guard let result = pq.getResult(connection) else { break }
            defer { pq.clear(result) }
            switch pq.resultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_SINGLE_TUPLE:
                if !sawResult {
                    let fields = pq.nfields(result)
                    answer.columns = (0..<fields).map { column in
                        QueryResult.Column(
                            name: LibPQ.string(pq.fname(result, column)),
                            isNumeric: Self.numericTypes.contains(pq.ftype(result, column)))
                    }
                    answer.rows = (0..<min(pq.ntuples(result), Int32(maxRows))).map { row in
                        (0..<fields).map { column in
                            pq.getisnull(result, row, column) == 1
                                ? nil : LibPQ.string(pq.getvalue(result, row, column))
                        }
                    }
                }
                sawResult = true
            default:
                if failure == nil {
                    failure = "query failed: " + Self.firstLine(LibPQ.string(pq.resultErrorMessage(result)))
                }
            }
        }
        if let failure { throw CheckFailure(failure) }
        return answer
    }

    /// `15.18` from the `server_version` the server reported.
    var serverVersion: String {
        guard let reported = pq.parameterStatus(connection, "server_version") else {
            let number = pq.serverVersion(connection)
            return number >= 100_000 ? "\(number / 10000).\(number % 10000)" : "\(number)"
        }
        return String(String(cString: reported).prefix { $0 != " " })
    }

    func close() {
        pq.finish(connection)
    }

    private func describeError() -> String {
        let raw = LibPQ.string(pq.errorMessage(connection))
        let lower = raw.lowercased()
        let user = pq.user(connection).map { String(cString: $0) } ?? "?"
        let database = pq.db(connection).map { String(cString: $0) } ?? "?"
        if lower.contains("password authentication failed") {
            return "authentication failed for user '\(user)' at \(target) (wrong password?)"
        }
        if lower.contains("no password supplied") || lower.contains("fe_sendauth") {
            return "the server at \(target) asks for a password and none was given"
        }
        if lower.contains("does not exist"), lower.contains("database") {
            return "database '\(database)' does not exist at \(target)"
        }
        if lower.contains("role"), lower.contains("does not exist") {
            return "user '\(user)' does not exist at \(target)"
        }
        if lower.contains("connection refused") {
            return "connection refused to \(target)"
        }
        if lower.contains("server does not support ssl") {
            return "TLS required (sslmode) but the server at \(target) does not support it"
        }
        if lower.contains("server closed the connection unexpectedly") {
            return "the server at \(target) closed the connection unexpectedly"
        }
        if lower.contains("could not translate host name") {
            return "cannot resolve the host of \(target)"
        }
        let line = Self.firstLine(raw)
        return line.isEmpty ? "cannot connect to PostgreSQL at \(target)" : "PostgreSQL at \(target): \(line)"
    }

    private static func firstLine(_ text: String) -> String {
        var line = String(text.split(separator: "\n").first ?? "")
        for prefix in ["FATAL:  ", "ERROR:  ", "connection to server at "] where line.hasPrefix(prefix) {
            line.removeFirst(prefix.count)
        }
        return line.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
