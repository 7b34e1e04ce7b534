import Foundation
import HealthrunCore

/// `--report csv[:PATH]` — one line per check. An example of a reporter: a pure function from
/// the run's results to bytes; the core writes the file and decides the exit code.
struct CSVReporter: Reporter {
    let formatName = "csv"
    let defaultPath = "healthrun.csv"

    func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        var text = "name,type,status,duration_ms,message\n"
        for check in report.checks {
            let fields = [
                check.name, check.type, check.status.rawValue, String(Int(check.duration.milliseconds.rounded())),
                check.message,
            ]
            text += fields.map(Self.quoted).joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
