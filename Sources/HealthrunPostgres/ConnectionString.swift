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
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(value, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0).trimmingCharacters(in: .newlines) } ?? "unparseable"
            if let errorMessage { PQfreemem(errorMessage) }
            throw ConfigValueError(
                "invalid dsn: \(reason)",
                hint: "write postgresql://user:password@host:5432/database or 'host=… port=… dbname=…'"
            )
        }
        defer { PQconninfoFree(options) }
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
        let options = try Self.parse(value)
        if let password = options["password"] { decoder.redactor?.register(password) }
    }

    init(_ value: String) {
        self.value = value
    }

    public var description: String { "****" }
}
