import HealthrunCheckers
import HealthrunCore
import HealthrunTesting
import Testing

@Suite struct TCPCheckerTests {
    @Test func connects() async throws {
        let server = try await BlackholeServer()
        defer { Task { await server.close() } }
        let run = try await CheckHarness.run(CheckHarness.check("tcp", "host: 127.0.0.1\nport: \(server.port)"))
        #expect(run.result.status == .ok)
        #expect(run.result.message == "connected to 127.0.0.1:\(server.port)")
        #expect(run.result.details["target"] == .string("127.0.0.1:\(server.port)"))
    }

    @Test func refused() async throws {
        let port = try await refusedPort()
        let run = try await CheckHarness.run(CheckHarness.check("tcp", "host: 127.0.0.1\nport: \(port)"))
        #expect(run.result.message == "connection refused to 127.0.0.1:\(port)")
    }

    @Test func aPortOutOfRangeIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) {
            var registry = CheckerRegistry()
            registry.register(TCPChecker.self) { try TCPChecker(configuration: $0) }
            _ = try ConfigLoader(registry: registry, environment: [:])
                .load(sources: [
                    ConfigSource(path: "t.yaml", text: CheckHarness.check("tcp", "host: 127.0.0.1\nport: 70000"))
                ])
        }
    }
}
