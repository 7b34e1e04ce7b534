import Foundation
import HealthrunCore

/// How a plugin answers: a JSON object on stdout, or the Nagios plugin convention.
public enum PluginFormat: String, Decodable, Sendable, CaseIterable {
    case json, nagios, auto

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let format = PluginFormat(rawValue: text) else {
            throw ConfigValueError("unknown format '\(text)'", hint: "use json, nagios or auto")
        }
        self = format
    }
}

/// One `label=value[UOM];warn;crit;min;max` item of Nagios performance data.
public struct PerfDatum: Sendable, Hashable {
    public var label: String
    public var value: Double?
    public var unit: String
    public var warn: String
    public var crit: String
    public var min: String
    public var max: String

    /// Parses the performance data after `|`: items separated by spaces, labels optionally in
    /// single quotes (`''` for a quote inside). Malformed items are skipped.
    public static func parse(_ text: String) -> [PerfDatum] {
        var data: [PerfDatum] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { break }
            var label = ""
            if rest.first == "'" {
                rest.removeFirst()
                while let character = rest.first {
                    rest.removeFirst()
                    if character == "'" {
                        if rest.first == "'" {
                            label.append("'")
                            rest.removeFirst()
                            continue
                        }
                        break
                    }
                    label.append(character)
                }
            } else {
                // Unquoted labels end at '='; a space first means a malformed item.
                let end = rest.firstIndex { $0 == "=" || $0 == " " || $0 == "\t" } ?? rest.endIndex
                label = String(rest[..<end])
                rest = rest[end...]
            }
            guard rest.first == "=" else {
                rest = rest.drop { $0 != " " }
                continue
            }
            rest.removeFirst()
            let item = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(item.count)
            let fields = item.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let valueText = fields[0]
            let number = valueText.prefix {
                $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E"
            }
            guard !label.isEmpty, valueText == "U" || Double(number) != nil else { continue }
            func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
            data.append(
                PerfDatum(
                    label: label, value: Double(number),
                    unit: valueText == "U" ? "" : String(valueText.dropFirst(number.count)),
                    warn: field(1), crit: field(2), min: field(3), max: field(4)
                )
            )
        }
        return data
    }
}

/// Turns what a command printed and how it ended into an outcome.
enum PluginOutput {
    static func outcome(
        _ run: ProcessRunner.Outcome, format: PluginFormat, exitCodes: ExitCodeConvention = .nagios, command: String
    ) -> CheckOutcome {
        var details: [String: DetailValue] = [:]
        if run.stdoutDropped > 0 { details["stdout_dropped_bytes"] = .int(run.stdoutDropped) }
        let stderrLine = firstLine(run.stderr)
        if case .signaled(let signal) = run.termination {
            let also = stderrLine.isEmpty ? "" : ": \(stderrLine)"
            return .fail("\(command) was killed by \(ProcessRunner.signalName(signal))\(also)", details: details)
        }
        let code: Int32
        if case .exited(let status) = run.termination { code = status } else { code = -1 }
        details["exit_code"] = .int(Int(code))
        if format != .nagios {
            switch jsonOutcome(run.stdout, details: details) {
            case .outcome(let outcome):
                return outcome
            case .invalid(let reason):
                // Output that starts like JSON is held to the JSON contract: garbage is a fail,
                // never an ok with the garbage as its message.
                return .fail(
                    "\(command) printed an invalid JSON result (\(reason)); exit status \(code); printed: "
                        + Snippet.of(run.stdout.trimmingTrailingWhitespace, limit: 200), details: details)
            case .notJSON:
                break
            }
        }
        if format == .json {
            let printed = run.stdout.isEmpty ? "nothing" : "'\(Snippet.of(run.stdout, limit: 80))'"
            return .fail(
                "\(command) did not print a JSON result (printed \(printed), exit status \(code))", details: details)
        }
        return nagiosOutcome(run, code: code, exitCodes: exitCodes, command: command, details: details)
    }

    /// What a plugin's stdout says as JSON.
    enum JSONAnswer {
        /// A result by the contract.
        case outcome(CheckOutcome)
        /// Starts with `{` but is not the contract: why.
        case invalid(String)
        /// Does not start with `{` (Nagios text, in auto mode).
        case notJSON
    }

    /// `{"status": "ok|warn|fail", "message": …, "details": {…}, "metrics": [{"name", "value",
    /// "unit"?, "labels"?}]}`; `"metrics": {name: number}` is read too.
    static func jsonOutcome(_ stdout: [UInt8], details: [String: DetailValue]) -> JSONAnswer {
        let trimmed = stdout.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard trimmed.first == UInt8(ascii: "{") else { return .notJSON }
        let object: [String: DetailValue]
        do {
            guard case .object(let decoded) = try JSONDecoder().decode(DetailValue.self, from: Data(trimmed)) else {
                return .invalid("not a JSON object")
            }
            object = decoded
        } catch {
            return .invalid(parseError(trimmed))
        }
        let statuses = "\"ok\", \"warn\" or \"fail\""
        guard let statusValue = object["status"] else { return .invalid("no \"status\"; it must be \(statuses)") }
        guard case .string(let statusText) = statusValue, let status = CheckStatus(rawValue: statusText),
            status != .skipped
        else {
            let shown = Snippet.of(Array(statusValue.description.utf8), limit: 40)
            return .invalid("\"status\" is '\(shown)'; it must be \(statuses)")
        }
        var details = details
        if case .object(let own)? = object["details"] { details.merge(own) { _, new in new } }
        var metrics: [Metric] = []
        switch object["metrics"] {
        case .object(let numbers)?:
            let kept = numbers.filter { $0.value.number != nil }
            details["metrics"] = .object(kept)
            for (name, value) in kept.sorted(by: { $0.key < $1.key }) {
                if let number = value.number, let name = Metric.name(from: name) {
                    metrics.append(Metric(name, number))
                }
            }
        case .array(let items)?:
            metrics = items.compactMap(Self.metric)
        default:
            break
        }
        var message = ""
        if case .string(let text)? = object["message"] { message = Snippet.of(Array(text.utf8), limit: 500) }
        return .outcome(
            CheckOutcome(
                status: status, message: message.isEmpty ? status.rawValue : message, details: details,
                metrics: metrics))
    }

    /// One `{"name", "value", "unit"?, "labels"?}` item; `nil` when it is not one (a bad name,
    /// a value that is not a number, a unit healthrun does not have).
    static func metric(_ item: DetailValue) -> Metric? {
        guard case .object(let fields) = item, case .string(let name)? = fields["name"], Metric.isValidName(name),
            let value = fields["value"]?.number, value.isFinite
        else { return nil }
        var unit: Metric.Unit?
        if case .string(let text)? = fields["unit"] {
            guard let known = Metric.Unit(rawValue: text) else { return nil }
            unit = known
        }
        var labels: [String: String] = [:]
        if case .object(let given)? = fields["labels"] {
            for (key, value) in given.prefix(16) {
                if case .string(let text) = value { labels[key] = text } else { labels[key] = value.description }
            }
        }
        return Metric(name, value, unit: unit, labels: labels)
    }

    /// A perfdata item as a metric, its UOM mapped as the Nagios guidelines define them: `s`
    /// and `ms` kept, `us` to ms, `B`/`KB`/`MB`/`GB`/`TB` to bytes (×1024 each step), `%` to
    /// a ratio (÷100), `c` and none to a count. Another UOM keeps the number without a unit.
    static func metric(_ datum: PerfDatum) -> Metric? {
        guard let value = datum.value, value.isFinite, let name = Metric.name(from: datum.label) else { return nil }
        let byteSteps = ["B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4]
        switch datum.unit {
        case "s": return Metric(name, value, unit: .s)
        case "ms": return Metric(name, value, unit: .ms)
        case "us": return Metric(name, value / 1000, unit: .ms)
        case "%": return Metric(name, value / 100, unit: .ratio)
        case "c", "": return Metric(name, value, unit: .count)
        default:
            if let steps = byteSteps[datum.unit.uppercased()] {
                var bytes = value
                for _ in 0..<steps { bytes *= 1024 }
                return Metric(name, bytes, unit: .bytes)
            }
            return Metric(name, value)
        }
    }

    /// Foundation's one-line account of why bytes are not JSON ("Unexpected end of file during
    /// JSON parse.").
    private static func parseError(_ bytes: some Collection<UInt8>) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return "not a JSON object"
        } catch {
            let text = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "malformed JSON"
            return text.hasSuffix(".") ? String(text.dropLast()) : text
        }
    }

    static func nagiosOutcome(
        _ run: ProcessRunner.Outcome,
        code: Int32,
        exitCodes: ExitCodeConvention = .nagios,
        command: String,
        details: [String: DetailValue]
    ) -> CheckOutcome {
        var details = details
        let text = String(decoding: run.stdout, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.first.map(String.init) ?? ""
        var message = first
        var perf: [PerfDatum] = []
        if let bar = first.firstIndex(of: "|") {
            message = String(first[..<bar])
            perf += PerfDatum.parse(String(first[first.index(after: bar)...]))
        }
        // Long output may carry more performance data after a '|' on a later line.
        if let later = lines.dropFirst().firstIndex(where: { $0.contains("|") }) {
            let rest = lines[later...].joined(separator: " ")
            if let bar = rest.firstIndex(of: "|") { perf += PerfDatum.parse(String(rest[rest.index(after: bar)...])) }
        }
        if !perf.isEmpty {
            var metrics: [String: DetailValue] = [:]
            var perfdata: [DetailValue] = []
            for datum in perf {
                if let value = datum.value { metrics[datum.label] = .double(value) }
                var item: [String: DetailValue] = [
                    "label": .string(datum.label), "value": datum.value.map(DetailValue.double) ?? .null,
                ]
                for (key, value) in [
                    ("unit", datum.unit), ("warn", datum.warn), ("crit", datum.crit), ("min", datum.min),
                    ("max", datum.max),
                ]
                where !value.isEmpty {
                    item[key] = .string(value)
                }
                perfdata.append(.object(item))
            }
            details["metrics"] = .object(metrics)
            details["perfdata"] = .array(perfdata)
        }
        let measured = perf.compactMap(Self.metric)
        message = Snippet.of(Array(message.trimmingCharacters(in: .whitespaces).utf8), limit: 500)
        let printedNothing = message.isEmpty
        if printedNothing {
            let stderrLine = firstLine(run.stderr)
            message =
                "\(command) exited with status \(code) and printed nothing"
                + (stderrLine.isEmpty ? "" : "; stderr: \(stderrLine)")
        }
        var outcome: CheckOutcome
        if exitCodes == .zeroOK, code != 0 {
            outcome = .fail(
                printedNothing ? message : "\(command) exited with status \(code): \(message)", details: details)
        } else {
            switch code {
            case 0: outcome = .ok(message, details: details)
            case 1: outcome = .warn(message, details: details)
            case 2: outcome = .fail(message, details: details)
            case 3: outcome = .fail(message.hasPrefix("UNKNOWN") ? message : "UNKNOWN: \(message)", details: details)
            default: outcome = .fail("\(command) exited with status \(code): \(message)", details: details)
            }
        }
        outcome.metrics = measured
        return outcome
    }

    static func firstLine(_ bytes: [UInt8]) -> String {
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return Snippet.of(Array(line), limit: 200).trimmingCharacters(in: .whitespaces)
    }
}

extension [UInt8] {
    /// Without trailing spaces, tabs and line ends.
    fileprivate var trimmingTrailingWhitespace: ArraySlice<UInt8> {
        var end = endIndex
        while end > startIndex, [0x20, 0x09, 0x0A, 0x0D].contains(self[end - 1]) { end -= 1 }
        return self[..<end]
    }
}
