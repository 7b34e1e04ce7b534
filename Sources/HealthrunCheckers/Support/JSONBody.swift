import Foundation
import HealthrunCore

/// Parses a response body as JSON into ``DetailValue``, with a message quoting the first bytes
/// when it is not JSON.
enum JSONBody {
    static func parse(_ body: [UInt8], truncated: Bool = false) throws -> DetailValue {
        if truncated {
            throw CheckFailure("response body larger than max_body; cannot parse it as JSON")
        }
        guard !body.isEmpty else { throw CheckFailure("empty response body, expected JSON") }
        do {
            return try JSONDecoder().decode(DetailValue.self, from: Data(body))
        } catch {
            throw CheckFailure("invalid JSON in response: \(Snippet.of(body, limit: 80))")
        }
    }
}
