import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunTesting
import Testing

/// The engine is a library: called again and again in one process, it must leave no file
/// descriptors, child processes or connections behind.
@Suite(.serialized) struct ResourceTests {
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static func childProcesses() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == me
        }
    }

    @Test func aThousandRunsLeaveNothingBehind() async throws {
        let server = try await LoopbackHTTPServer { _ in .text(200, "ok") }
        defer { Task { await server.close() } }
        let plugins = try TemporaryDirectory(files: ["hello": "#!/bin/sh\necho 'OK - hello'\n"])
        defer { plugins.remove() }
        chmod(plugins.path + "/hello", 0o755)
        let yaml = """
            checks:
              - {name: web, type: http, url: "\(server.baseURL)/"}
              - {name: port, type: tcp, host: 127.0.0.1, port: \(server.port)}
              - {name: plugin, type: hello}
            """
        // Warm up: event loops, thread pools and caches are made once per process.
        _ = try await CheckHarness.run(yaml, plugins: plugins.path)
        let descriptorsBefore = Self.openDescriptors()
        for _ in 0..<1000 {
            let run = try await CheckHarness.run(yaml, plugins: plugins.path)
            #expect(run.report.summary.ok == 3)
        }
        // Closed connections and reaped children settle asynchronously: wait for them (bounded)
        // rather than for a fixed time.
        let giveUp = ContinuousClock.now + .seconds(2)
        while Self.openDescriptors() - descriptorsBefore > 4 || !Self.childProcesses().isEmpty,
            ContinuousClock.now < giveUp
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        let descriptorsAfter = Self.openDescriptors()
        #expect(
            descriptorsAfter - descriptorsBefore <= 4,
            "descriptors grew from \(descriptorsBefore) to \(descriptorsAfter)")
        #expect(Self.childProcesses().isEmpty, "children left: \(Self.childProcesses())")
    }

    /// Peak resident memory of this process, from /proc/self/status (VmHWM), in MiB.
    static func peakResidentMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    /// Measures resources, not speed: the generous timeout keeps a loaded machine from turning
    /// slowness into failures; the elapsed time is printed for the record.
    @Test func tenThousandChecksAtConcurrency500() async throws {
        OpenFileLimit.raiseToHardLimit()
        let server = try await LoopbackHTTPServer { request in .json(200, #"{"status":"ok","path":"\#(request.path)"}"#)
        }
        defer { Task { await server.close() } }
        var yaml = "checks:\n"
        for index in 0..<10_000 {
            yaml +=
                "  - {name: c\(index), type: http, url: \"\(server.baseURL)/\(index)\", timeout: 2m, expect: {json: {\"$.path\": \"/\(index)\"}}}\n"
        }
        let before = Self.peakResidentMiB()
        let run = try await CheckHarness.run(yaml, concurrency: 500)
        let peak = Self.peakResidentMiB()
        print(
            "10,000 checks at concurrency 500: \(run.elapsed), peak RSS \(peak) MiB (\(before) MiB before; server in the same process)"
        )
        #expect(
            run.report.summary.ok == 10_000, "\(run.report.checks.filter { $0.status != .ok }.prefix(3).map(\.message))"
        )
        #expect(Set(server.requests.map(\.path)).count == 10_000, "every check hit its own URL")
        #expect(peak < 1024, "peak RSS \(peak) MiB")
    }

    @Test func concurrencyIsClampedToTheOpenFileLimit() {
        #expect(OpenFileLimit.clamp(500, limit: 1024) == (160, true))
        #expect(OpenFileLimit.clamp(64, limit: 1024) == (64, false))
        #expect(OpenFileLimit.clamp(10, limit: 10) == (1, true))
    }
}
