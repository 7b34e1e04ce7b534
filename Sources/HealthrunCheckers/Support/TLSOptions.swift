public import HealthrunCore
import NIOSSL

/// `tls:` of HTTP-speaking checks.
public struct TLSOptions: Decodable, Sendable, Hashable {
    /// Skip certificate verification.
    public var insecure: Bool?
    /// PEM file of roots to trust instead of the system's.
    public var caFile: String?
    /// Warn when the server's certificate expires sooner than this.
    public var certExpiryWarn: ConfigDuration?

    enum CodingKeys: String, CodingKey {
        case insecure
        case caFile = "ca_file"
        case certExpiryWarn = "cert_expiry_warn"
    }

    /// The client TLS configuration these options make; reads and checks `ca_file` now, so a
    /// missing or malformed file is a configuration error.
    func makeConfiguration(field: [String] = ["tls"]) throws -> TLSConfiguration? {
        guard insecure == true || caFile != nil else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if insecure == true {
            configuration.certificateVerification = .none
        }
        if let caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else {
                    throw ConfigValueError("no certificate in ca_file '\(caFile)'", field: field + ["ca_file"])
                }
                configuration.trustRoots = .certificates(certificates)
            } catch let error as ConfigValueError {
                throw error
            } catch {
                throw ConfigValueError(
                    "cannot read ca_file '\(caFile)': \(error)",
                    field: field + ["ca_file"],
                    hint: "name a PEM file of CA certificates"
                )
            }
        }
        return configuration
    }
}
