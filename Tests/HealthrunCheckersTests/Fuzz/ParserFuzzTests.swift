import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

@testable import HealthrunCheckers

/// Seeded fuzzing of what parses servers' and plugins' output; see fuzz/README.md.
@Suite struct ParserFuzzTests {
    static let seeds: [[UInt8]] = [
        #"{"data":[{"id":"sonnet","display_name":"Claude Sonnet 4.5"}],"has_more":true,"last_id":"sonnet"}"#,
        #"{"models":["a",{"model":"b","name":"B"}]}"#,
        #"{"status":"warn","message":"slow","details":{"k":[1,2.5,null,true]},"metrics":{"x":1e3}}"#,
        "DISK OK - free | free=45%;20;10;0;100 'a b'=1.5s;;;0 c=U",
        "$.data[0]['display name'].id",
        #"{"ok":true,"result":{"id":1,"is_bot":true,"username":"b"}}"#,
    ].map { Array($0.utf8) }

    @Test func serverAndPluginOutputParsersNeverCrash() {
        let (seed, iterations) = Fuzzer.settings(defaultIterations: 2000)
        var fuzzer = Fuzzer(seed: seed &+ 2)
        for iteration in 0..<iterations {
            let bytes = fuzzer.mutate(Self.seeds[iteration % Self.seeds.count])
            let text = String(decoding: bytes, as: UTF8.self)
            if let list = try? ModelList.parse(bytes, truncated: false) {
                #expect(list.models.allSatisfy { !$0.id.isEmpty })
            }
            _ = ProviderError.message(in: bytes)
            switch PluginOutput.jsonOutcome(bytes, details: [:]) {
            case .outcome(let outcome): #expect(outcome.status != .skipped)
            case .invalid(let reason): #expect(!reason.isEmpty)
            case .notJSON: #expect(bytes.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) } != UInt8(ascii: "{"))
            }
            for datum in PerfDatum.parse(text) {
                #expect(!datum.label.isEmpty)
            }
            if let path = try? JSONPath(text), let document = try? JSONBody.parse(Self.seeds[0]) {
                _ = path.evaluate(document)
            }
            let run = ProcessRunner.Outcome(
                termination: .exited(Int32(iteration % 5)), stdout: bytes, stderr: bytes, stdoutDropped: 0,
                stderrDropped: 0,
                timedOut: false)
            let outcome = PluginOutput.outcome(run, format: .auto, command: "p")
            #expect(!outcome.message.isEmpty)
            #expect(
                !outcome.message.unicodeScalars.contains { $0.value < 0x20 }, "control characters reach the message")
        }
    }
}
