import CLibPQ
import Foundation
import HealthrunCore

/// A libpq connection string (`postgresql://user:pass@host/db` or `host=… password=…`),
/// checked with libpq's own parser at load time; the password inside it is registered as a
/// secret, and the string's `description` is masked.
public struct ConnectionString: Decodable, Sendable, Hashable, CustomStringConvertible {
    let value: String

    /// Parses and checks `value`; returns the options libpq found.
    static func parse(_ value: String) throws(ConfigValueError) -> [String: String] {
        let pq: LibPQ
        do {
            pq = try LibPQ.load()
        } catch {
            throw ConfigValueError(
                "cannot check the dsn: \(error)", hint: "every check of another type runs without libpq")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = pq.conninfoParse(value, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0).trimmingCharacters(in: .newlines) } ?? "unparseable"
            if let errorMessage { pq.freemem(errorMessage) }
            throw ConfigValueError(
                "invalid dsn: \(reason)",
                hint: "write postgresql://user:password@host:5432/database or 'host=… port=… dbname=…'"
            )
        }
        defer { pq.conninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let val = option.pointee.val { result[String(cString: keyword)] = String(cString: val) }
            option += 1
        }
        return result
    }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
        try Self.checkUserInfo(value, redactor: decoder.redactor)
        let options = try Self.parse(value)
        if let password = options["password"] { decoder.redactor?.register(password) }
    }

    /// In a URI the user and password end at the first `/`, `?` or `#`: libpq would read the rest
    /// of an unencoded password as the host (connecting elsewhere, and showing part of the
    /// password as a host name). Such a DSN is an error; the password is registered either way.
    static func checkUserInfo(_ value: String, redactor: Redactor?) throws(ConfigValueError) {
        guard let scheme = value.range(of: "://"), value.hasPrefix("postgres") else { return }
        let rest = value[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return }
        let userInfo = rest[..<at]
        if let colon = userInfo.firstIndex(of: ":") {
            let password = String(userInfo[userInfo.index(after: colon)...])
            redactor?.register(password)
            redactor?.register(password.removingPercentEncoding ?? password)
        }
        if userInfo.contains(where: { "/?#".contains($0) }) {
            throw ConfigValueError(
                "the user or password in the dsn contains '/', '?' or '#', which ends the user part of a URI",
                hint: "percent-encode them (/ as %2F, ? as %3F, # as %23), or use host, user and password fields"
            )
        }
    }

    init(_ value: String) {
        self.value = value
    }

    public var description: String { "****" }
}
