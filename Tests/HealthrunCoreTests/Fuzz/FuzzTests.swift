import Foundation
import HealthrunCore
import HealthrunTesting
import Testing

/// Seeded fuzzing of the loader and the core parsers; see fuzz/README.md.
@Suite struct FuzzTests {
    static let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fuzz/corpus").path

    static var corpus: [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory)) ?? []
        return names.sorted().compactMap {
            FileManager.default.contents(atPath: corpusDirectory + "/" + $0).map(Array.init)
        }
    }

    static let environment = ["API_KEY": "sk-fuzz-0123456789abcdef", "PORT": "8080", "Y": "y", "BOT_TOKEN": "1:abc"]

    @Test func theLoaderAlwaysEndsInAConfigurationOrDiagnostics() throws {
        let (seed, iterations) = Fuzzer.settings()
        var fuzzer = Fuzzer(seed: seed)
        let corpus = Self.corpus
        try #require(corpus.count >= 3, "corpus missing at \(Self.corpusDirectory)")
        let loader = ConfigLoader(registry: TestCheckers.registry, environment: Self.environment)
        var loaded = 0
        for iteration in 0..<iterations {
            let input = fuzzer.mutate(corpus[iteration % corpus.count])
            let start = ContinuousClock.now
            let text = String(decoding: input, as: UTF8.self)
            do {
                _ = try loader.load(sources: [ConfigSource(path: "fuzz.yaml", text: text)])
                loaded += 1
            } catch {
                #expect(!error.diagnostics.isEmpty, "seed \(seed) case \(iteration): no diagnostic")
                #expect(error.diagnostics.allSatisfy { !$0.message.isEmpty })
            }
            #expect(start.duration(to: .now) < .seconds(5), "seed \(seed) case \(iteration) took too long")
        }
        #expect(loaded < iterations, "mutations should break most inputs")
    }

    @Test func theSmallParsersNeverCrash() {
        let (seed, iterations) = Fuzzer.settings(defaultIterations: 2000)
        var fuzzer = Fuzzer(seed: seed &+ 1)
        let seeds = ["250ms", "1m30s", "${A:-b} $${c} ${D}", "A=1\nexport B='2'\nC=\"x\\ny\"\n# c\n"].map {
            Array($0.utf8)
        }
        for iteration in 0..<iterations {
            let text = String(decoding: fuzzer.mutate(seeds[iteration % seeds.count]), as: UTF8.self)
            _ = try? DurationParser.parse(text)
            let expansion = Interpolation.expand(text, environment: ["A": "a", "D": "d"])
            #expect(expansion.undefined.allSatisfy { $0.offset <= text.count })
            let (_, diagnostics) = EnvFile.parse(text, file: ".env")
            #expect(diagnostics.allSatisfy { ($0.location?.line ?? 0) >= 1 })
        }
    }

    @Test func hostileFilesGetClearErrors() throws {
        let directory = try TemporaryDirectory(files: ["ok.yaml": "checks:\n  - {name: a, type: scripted}\n"])
        defer { directory.remove() }
        let loader = ConfigLoader(registry: TestCheckers.registry, environment: [:])
        // A 20 MB file, a symlink loop, a NUL byte and bytes that are not UTF-8.
        try directory.write("huge.yaml", "checks:\n" + String(repeating: "# padding line\n", count: 1_400_000))
        symlink(directory.path + "/loop.yaml", directory.path + "/loop.yaml")
        mkfifo(directory.path + "/fifo.yaml", 0o644)
        try Data([0x63, 0x68, 0x65, 0x63, 0x6B, 0x73, 0x3A, 0x00, 0x0A]).write(
            to: URL(fileURLWithPath: directory.path + "/nul.yaml"))
        try Data([0x63, 0x68, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: directory.path + "/latin1.yaml"))
        do {
            _ = try loader.load(directory: directory.path)
            Issue.record("loaded hostile files")
        } catch {
            let messages = error.diagnostics.map {
                "\($0.location?.file.split(separator: "/").last ?? ""): \($0.message)"
            }
            #expect(messages.contains("huge.yaml: cannot read file: file is larger than 16 MiB"))
            #expect(messages.contains("loop.yaml: cannot read file: too many levels of symbolic links"))
            #expect(messages.contains("fifo.yaml: cannot read file: not a regular file (a pipe, socket or device)"))
            #expect(messages.contains("latin1.yaml: file is not valid UTF-8 (byte 0xff at offset 2)"))
            #expect(messages.contains { $0.hasPrefix("nul.yaml: invalid YAML") }, "\(messages)")
        }
    }
}

/// checks.d at scale: ten thousand files load, in order.
@Suite struct LoaderScaleTests {
    @Test func tenThousandFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for index in 0..<10_000 {
            try directory.write(String(format: "%05d.yaml", index), "checks:\n  - {name: c\(index), type: scripted}\n")
        }
        let loaded = try ConfigLoader(registry: TestCheckers.registry, environment: [:]).load(directory: directory.path)
        #expect(loaded.checks.count == 10_000)
        #expect(loaded.checks.first?.name == "c0" && loaded.checks.last?.name == "c9999")
    }
}
