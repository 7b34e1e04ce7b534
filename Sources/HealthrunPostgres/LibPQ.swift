import CLibPQ
import Foundation

/// libpq, opened with `dlopen` on first use instead of linked: a run without a postgres check
/// loads neither it nor the twenty-odd libraries it needs (Kerberos, LDAP, GnuTLS…), which took
/// 2.8 ms of every start, and a machine without libpq still runs every other check, each postgres
/// check failing with what to install.
///
/// The types and constants come from libpq's own header (`CLibPQ`); the functions are the ones
/// of the same name, looked up once.
struct LibPQ: @unchecked Sendable {
    typealias Connection = OpaquePointer
    typealias Result = OpaquePointer
    typealias Text = UnsafeMutablePointer<CChar>

    /// Why libpq cannot be used.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The soname of libpq's stable ABI (every release since PostgreSQL 8.2).
    static let soname = "libpq.so.5"

    /// libpq, opened once per process.
    private static let shared = Swift.Result { () throws(Unavailable) in try LibPQ(library: soname) }

    /// libpq, opened on the first call.
    static func load() throws(Unavailable) -> LibPQ { try shared.get() }

    let conninfoParse:
        @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<Text?>?) -> UnsafeMutablePointer<PQconninfoOption>?
    let conninfoFree: @convention(c) (UnsafeMutablePointer<PQconninfoOption>?) -> Void
    let freemem: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let connectStartParams:
        @convention(c) (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int32) ->
            Connection?
    let status: @convention(c) (Connection?) -> ConnStatusType
    let connectPoll: @convention(c) (Connection?) -> PostgresPollingStatusType
    let setnonblocking: @convention(c) (Connection?, Int32) -> Int32
    let socket: @convention(c) (Connection?) -> Int32
    let sendQuery: @convention(c) (Connection?, UnsafePointer<CChar>?) -> Int32
    let flush: @convention(c) (Connection?) -> Int32
    let consumeInput: @convention(c) (Connection?) -> Int32
    let isBusy: @convention(c) (Connection?) -> Int32
    let getResult: @convention(c) (Connection?) -> Result?
    let clear: @convention(c) (Result?) -> Void
    let resultStatus: @convention(c) (Result?) -> ExecStatusType
    let nfields: @convention(c) (Result?) -> Int32
    let fname: @convention(c) (Result?, Int32) -> Text?
    let ftype: @convention(c) (Result?, Int32) -> Oid
    let ntuples: @convention(c) (Result?) -> Int32
    let getisnull: @convention(c) (Result?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (Result?, Int32, Int32) -> Text?
    let resultErrorMessage: @convention(c) (Result?) -> Text?
    let parameterStatus: @convention(c) (Connection?, UnsafePointer<CChar>?) -> UnsafePointer<CChar>?
    let serverVersion: @convention(c) (Connection?) -> Int32
    let finish: @convention(c) (Connection?) -> Void
    let errorMessage: @convention(c) (Connection?) -> Text?
    let user: @convention(c) (Connection?) -> Text?
    let db: @convention(c) (Connection?) -> Text?

    /// Opens `library` and looks up every function this module calls.
    init(library: String) throws(Unavailable) {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw Unavailable(
                description: "libpq is not installed (\(reason)); install libpq5 (Debian, Ubuntu) or "
                    + "libpq (Fedora, RHEL) for postgres checks")
        }
        func function<Function>(_ name: String) throws(Unavailable) -> Function {
            guard let address = dlsym(handle, name) else {
                throw Unavailable(
                    description: "\(library) has no \(name): it is not libpq, or a libpq older than healthrun supports")
            }
            return unsafeBitCast(address, to: Function.self)
        }
        conninfoParse = try function("PQconninfoParse")
        conninfoFree = try function("PQconninfoFree")
        freemem = try function("PQfreemem")
        connectStartParams = try function("PQconnectStartParams")
        status = try function("PQstatus")
        connectPoll = try function("PQconnectPoll")
        setnonblocking = try function("PQsetnonblocking")
        socket = try function("PQsocket")
        sendQuery = try function("PQsendQuery")
        flush = try function("PQflush")
        consumeInput = try function("PQconsumeInput")
        isBusy = try function("PQisBusy")
        getResult = try function("PQgetResult")
        clear = try function("PQclear")
        resultStatus = try function("PQresultStatus")
        nfields = try function("PQnfields")
        fname = try function("PQfname")
        ftype = try function("PQftype")
        ntuples = try function("PQntuples")
        getisnull = try function("PQgetisnull")
        getvalue = try function("PQgetvalue")
        resultErrorMessage = try function("PQresultErrorMessage")
        parameterStatus = try function("PQparameterStatus")
        serverVersion = try function("PQserverVersion")
        finish = try function("PQfinish")
        errorMessage = try function("PQerrorMessage")
        user = try function("PQuser")
        db = try function("PQdb")
    }

    /// A C string libpq returned, or "" for none.
    static func string(_ text: UnsafePointer<CChar>?) -> String {
        text.map { String(cString: $0) } ?? ""
    }
}
