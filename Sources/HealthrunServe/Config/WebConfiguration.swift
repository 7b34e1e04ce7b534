import Foundation
import HummingbirdBcrypt
public import NIOSSL
import Yams

/// `healthrun serve --web-config FILE`: TLS and basic authentication in the file format of
/// Prometheus' exporter-toolkit, so a file written for node_exporter or Prometheus works:
///
/// ```yaml
/// tls_server_config:
///   cert_file: /etc/healthrun/tls.crt
///   key_file: /etc/healthrun/tls.key
///   client_ca_file: /etc/healthrun/ca.crt   # optional: then a client certificate is required
/// basic_auth_users:
///   admin: $2y$10$…                          # bcrypt, as `htpasswd -nBC 10 admin` prints it
/// public_paths: [/healthz, /readyz]          # healthrun's: served without authentication
/// ```
///
/// Either section alone works.
public struct WebConfiguration: Sendable {
    /// The certificate and key files, and a client CA when client certificates are required.
    public struct TLS: Sendable {
        public var certFile: String
        public var keyFile: String
        public var clientCAFile: String?

        public init(certFile: String, keyFile: String, clientCAFile: String? = nil) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.clientCAFile = clientCAFile
        }
    }

    /// Paths served without authentication unless `public_paths` says otherwise: what a load
    /// balancer's or an orchestrator's probe asks.
    public static let defaultPublicPaths = ["/healthz", "/readyz"]

    /// A bcrypt hash checked for unknown users, so they cost what a known user costs.
    static let decoyHash = Bcrypt.hash("healthrun decoy", cost: 10)

    public var tls: TLS?
    /// User name → bcrypt hash.
    public var users: [String: String] = [:]
    public var publicPaths = defaultPublicPaths

    public init(tls: TLS? = nil, users: [String: String] = [:], publicPaths: [String] = defaultPublicPaths) {
        self.tls = tls
        self.users = users
        self.publicPaths = publicPaths
    }

    /// A mistake in the file, located.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Reads and checks the file: its keys, the hashes, and that the TLS files load.
    public static func load(path: String) throws -> WebConfiguration {
        func problem(_ node: Node?, _ text: String) -> Problem {
            let at = node?.mark.map { ":\($0.line):\($0.column)" } ?? ""
            return Problem(description: "\(path)\(at): \(text)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem(description: "\(path): cannot read the web config file")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problem(description: "\(path): not YAML: \(error)")
        }
        var configuration = WebConfiguration()
        guard let root else { return configuration }
        guard let top = root.mapping else { throw problem(root, "expected a mapping of settings") }
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "tls_server_config":
                guard let tls = value.mapping else { throw problem(value, "tls_server_config must be a mapping") }
                var fields: [String: String] = [:]
                for (field, fieldValue) in tls {
                    let name = field.string ?? ""
                    guard ["cert_file", "key_file", "client_ca_file"].contains(name) else {
                        throw problem(
                            field, "unknown key '\(name)' in tls_server_config; use cert_file, key_file, client_ca_file"
                        )
                    }
                    guard let string = fieldValue.string, !string.isEmpty else {
                        throw problem(fieldValue, "\(name) must be a file path")
                    }
                    fields[name] = string
                }
                guard let cert = fields["cert_file"], let key = fields["key_file"] else {
                    throw problem(value, "tls_server_config needs both cert_file and key_file")
                }
                configuration.tls = TLS(certFile: cert, keyFile: key, clientCAFile: fields["client_ca_file"])
                _ = try configuration.tlsConfiguration(describing: { problem(value, $0) })
            case "basic_auth_users":
                guard let users = value.mapping else {
                    throw problem(value, "basic_auth_users must be a mapping of user name to bcrypt hash")
                }
                for (user, hash) in users {
                    guard let name = user.string, !name.isEmpty, !name.contains(":") else {
                        throw problem(user, "a user name must be non-empty and hold no ':'")
                    }
                    guard let hash = hash.string, hash.count == 60, hash.hasPrefix("$2") else {
                        throw problem(
                            hash,
                            "the password of '\(name)' must be a bcrypt hash ($2y$…, 60 characters), never the "
                                + "password itself; make one with: htpasswd -nBC 10 '\(name)'")
                    }
                    configuration.users[name] = hash
                }
            case "public_paths":
                guard let paths = value.sequence?.map({ $0.string ?? "" }), paths.allSatisfy({ $0.hasPrefix("/") })
                else { throw problem(value, "public_paths must be a list of paths such as /healthz") }
                configuration.publicPaths = paths
            case "http_server_config":
                throw problem(keyNode, "http_server_config is not supported by healthrun (HTTP/1.1 only)")
            default:
                throw problem(
                    keyNode, "unknown key '\(key)'; use tls_server_config, basic_auth_users or public_paths")
            }
        }
        return configuration
    }

    /// The server's TLS settings: TLS 1.2 or newer; with a client CA, a client certificate signed
    /// by it is required.
    public func tlsConfiguration(describing: (String) -> any Error = { Problem(description: $0) }) throws
        -> TLSConfiguration?
    {
        guard let tls else { return nil }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certFile)
        } catch {
            throw describing("cannot load cert_file '\(tls.certFile)' as PEM certificates: \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
        } catch {
            throw describing("cannot load key_file '\(tls.keyFile)' as a PEM private key: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if let ca = tls.clientCAFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw describing("cannot load client_ca_file '\(ca)' as PEM certificates: \(error)")
            }
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
    }
}
