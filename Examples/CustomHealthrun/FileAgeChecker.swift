import Foundation
import HealthrunCore

/// `type: file_age` — a file must exist and have been modified recently (a backup, a heartbeat
/// file written by a cron job). An example of a checker type written against the SDK.
struct FileAgeChecker: Checker {
    static let typeName = "file_age"

    /// Its own fields; optional ones are `Optional`, defaults applied in `init`.
    struct Configuration: Decodable, Sendable {
        var path: String
        var maxAge: ConfigDuration
        var minBytes: Int?

        enum CodingKeys: String, CodingKey {
            case path
            case maxAge = "max_age"
            case minBytes = "min_bytes"
        }
    }

    let path: String
    let maxAge: Duration
    let minBytes: Int

    init(configuration: Configuration) throws {
        guard configuration.path.hasPrefix("/") else {
            // Thrown with the field's key path: the loader reports it at that field's file:line:column.
            throw ConfigValueError(
                "path '\(configuration.path)' is not absolute", field: ["path"],
                hint: "write the full path, e.g. /var/backups/db.dump")
        }
        guard configuration.maxAge.duration > .zero else {
            throw ConfigValueError("max_age must be longer than 0", field: ["max_age"])
        }
        path = configuration.path
        maxAge = configuration.maxAge.duration
        minBytes = configuration.minBytes ?? 0
    }

    func check(_ context: CheckContext) async throws -> CheckOutcome {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw CheckFailure("\(path) does not exist or cannot be read")
        }
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let age = Date().timeIntervalSince(modified)
        let details: [String: DetailValue] = ["age_seconds": .int(Int(age)), "bytes": .int(size)]
        let ageText = DurationParser.format(.seconds(Int(age)))
        if age > Double(maxAge.components.seconds) {
            return .fail("\(path) is \(ageText) old (max \(DurationParser.format(maxAge)))", details: details)
        }
        if size < minBytes {
            return .fail("\(path) has \(size) bytes, expected at least \(minBytes)", details: details)
        }
        return .ok("\(path) modified \(ageText) ago, \(size) bytes", details: details)
    }
}
