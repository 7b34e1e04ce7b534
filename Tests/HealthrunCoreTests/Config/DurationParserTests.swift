import HealthrunCore
import Testing

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("250ms", 250.0), ("3s", 3000), ("1m30s", 90000), ("1h", 3_600_000), ("1.5s", 1500), ("2m", 120_000),
        ("100us", 0.1), ("1h2m3s", 3_723_000), (" 3s ", 3000),
    ])
    func parsesDurations(text: String, milliseconds: Double) throws {
        #expect(try DurationParser.parse(text).milliseconds == milliseconds)
    }

    @Test(arguments: ["5 sex", "", "s", "3", "1.2.3s", "3x", "-", "ms3"])
    func rejectsMalformedDurations(text: String) {
        #expect(throws: DurationParser.Failure.self) { try DurationParser.parse(text) }
    }

    @Test func namesTheUnknownUnit() {
        #expect(throws: DurationParser.Failure.self) { try DurationParser.parse("5sex") }
        do {
            _ = try DurationParser.parse("5sex")
        } catch {
            #expect(error.description == "invalid duration '5sex': unknown unit 'sex'")
        }
    }

    @Test(arguments: [
        (Duration.milliseconds(250), "250ms"), (.seconds(3), "3s"), (.seconds(90), "1m30s"), (.seconds(3600), "1h"),
        (.milliseconds(1500), "1.5s"),
    ])
    func formatsDurations(duration: Duration, text: String) {
        #expect(DurationParser.format(duration) == text)
    }
}
