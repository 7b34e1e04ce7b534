import Foundation
import HealthrunServe
import Testing

@Suite struct WebConfigurationTests {
    static func load(_ text: String) throws -> WebConfiguration {
        let path = NSTemporaryDirectory() + "web-\(UUID().uuidString).yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try WebConfiguration.load(path: path)
    }

    static func problem(_ text: String) -> String {
        do {
            _ = try load(text)
            return "no problem"
        } catch {
            // The temporary path varies; what follows it is what the user reads.
            let description = "\(error)"
            return String(description[(description.range(of: ".yml")?.upperBound ?? description.startIndex)...])
        }
    }

    @Test func aPrometheusWebConfigLoads() throws {
        let hash = "$2y$10$" + String(repeating: "x", count: 53)
        let web = try Self.load("basic_auth_users:\n  admin: \(hash)\npublic_paths: [/healthz]\n")
        #expect(web.users == ["admin": hash])
        #expect(web.publicPaths == ["/healthz"])
        #expect(web.tls == nil)
        #expect(try Self.load("").users.isEmpty)
    }

    @Test func mistakesAreLocatedAndSayWhatToDo() {
        #expect(
            Self.problem("basic_auth_users:\n  admin: hunter2\n")
                == ":2:10: the password of 'admin' must be a bcrypt hash ($2y$…, 60 characters), never the password itself; make one with: htpasswd -nBC 10 'admin'"
        )
        #expect(
            Self.problem("basic_auth_user:\n  admin: x\n")
                == ":1:1: unknown key 'basic_auth_user'; use tls_server_config, basic_auth_users or public_paths")
        #expect(
            Self.problem("tls_server_config:\n  cert_file: /nonexistent.crt\n")
                == ":2:3: tls_server_config needs both cert_file and key_file")
        #expect(
            Self.problem("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n")
                .hasPrefix(":2:3: cannot load cert_file '/nonexistent.crt' as PEM certificates"))
        #expect(
            Self.problem("tls_server_config:\n  certfile: a\n")
                == ":2:3: unknown key 'certfile' in tls_server_config; use cert_file, key_file, client_ca_file")
    }
}
