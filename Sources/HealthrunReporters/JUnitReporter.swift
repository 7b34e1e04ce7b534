public import HealthrunCore

/// JUnit XML as Jenkins, GitLab and GitHub test-report actions read it: one `testcase` per
/// check, `failure` for fail, `skipped` for skipped, warn passing with its message in `system-out`.
public struct JUnitReporter: Reporter {
    public let formatName = "junit"
    public let defaultPath = "healthrun-junit.xml"

    /// Creates the reporter.
    public init() {}

    public func render(_ report: RunReport, options: RenderOptions) throws -> [UInt8] {
        let summary = report.summary
        let seconds = Self.seconds(report.duration)
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml +=
            #"<testsuites name="healthrun" tests="\#(summary.total)" failures="\#(summary.fail)" errors="0" skipped="\#(summary.skipped)" time="\#(seconds)">"#
            + "\n"
        xml +=
            #"  <testsuite name="healthrun" tests="\#(summary.total)" failures="\#(summary.fail)" errors="0" skipped="\#(summary.skipped)" time="\#(seconds)" timestamp="\#(Timestamp.iso8601(report.startedAt))">"#
            + "\n"
        for check in report.checks {
            let classname = Escaping.xml(check.group ?? check.type)
            xml +=
                #"    <testcase classname="\#(classname)" name="\#(Escaping.xml(check.name))" time="\#(Self.seconds(check.duration))""#
            let message = Escaping.xml(check.message)
            // Metrics as properties, which Jenkins and GitLab show with the test case.
            var properties = ""
            if !check.metrics.isEmpty {
                properties = "\n      <properties>\n"
                for metric in check.metrics {
                    properties +=
                        "        <property name=\"\(Escaping.xml(metric.seriesName))\" value=\"\(PrometheusReporter.format(metric.value))\(metric.unit.map { " " + $0.rawValue } ?? "")\"/>\n"
                }
                properties += "      </properties>"
            }
            switch check.status {
            case .ok:
                xml += properties.isEmpty ? "/>\n" : ">\(properties)\n    </testcase>\n"
            case .warn:
                xml += ">\(properties)\n      <system-out>warn: \(message)</system-out>\n    </testcase>\n"
            case .skipped:
                xml += ">\(properties)\n      <skipped message=\"\(message)\"/>\n    </testcase>\n"
            case .fail:
                var body =
                    "\(check.type) check \(check.name) (\(check.source.fileAndLine))\(check.critical ? "" : ", not critical")"
                body += ", \(check.attempts) attempt\(check.attempts == 1 ? "" : "s"): \(check.message)"
                for (key, value) in check.details.sorted(by: { $0.key < $1.key }) { body += "\n\(key): \(value)" }
                xml +=
                    ">\(properties)\n      <failure message=\"\(message)\" type=\"fail\">\(Escaping.xml(body))</failure>\n    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return Array(xml.utf8)
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = Int(duration.milliseconds.rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
