import HealthrunCLI
import HealthrunCore

/// A healthrun-compatible executable with one more checker type and one more report format:
/// everything else (checks.d, the built-in types, exit codes, reports) is healthrun's.
@main
struct HealthrunExample {
    static func main() async {
        await HealthrunMain.main(tool: RunReport.Tool(name: "healthrun-example", version: "0.1.0")) {
            checkers, reporters in
            checkers.register(FileAgeChecker.self, summary: "a file modified recently (backups, heartbeats)") {
                try FileAgeChecker(configuration: $0)
            }
            reporters.register(CSVReporter())
        }
    }
}
