import Foundation

/// Knows every secret of a run and replaces it, in any text that leaves the engine, by its
/// masked form. It also catches the forms a secret takes in URLs, JSON and HTTP headers:
/// percent-encoded, JSON-escaped and base64 (as in `Authorization: Basic`).
public final class Redactor: Sendable {
    /// Secrets shorter than this are not searched for: replacing every `ab` in a message
    /// would destroy it without protecting anything.
    public static let minimumLength = 4

    private struct State {
        var secrets: Set<String> = []
        /// Every searchable form, longest first, with its replacement.
        var patterns: [(form: String, mask: String)] = []
    }

    private let state = Locked(State())

    /// Creates an empty redactor.
    public init() {}

    /// Adds a secret. Safe to call from any thread, any number of times.
    public func register(_ secret: String) {
        guard secret.count >= Self.minimumLength else { return }
        state.withLock { state in
            guard state.secrets.insert(secret).inserted else { return }
            let mask = Self.mask(secret)
            var forms: Set<String> = [secret]
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                forms.insert(encoded)
            }
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) {
                forms.insert(encoded)
            }
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) {
                forms.insert(encoded)
            }
            // As JSON writers put it: JSONText's escaping, and with `/` as `\/` (what
            // JSONSerialization and PHP write).
            let escaped = JSONText.escaped(secret)
            forms.insert(escaped)
            forms.insert(escaped.replacingOccurrences(of: "/", with: "\\/"))
            forms.insert(Data(secret.utf8).base64EncodedString())
            for form in forms where form.count >= Self.minimumLength {
                state.patterns.append((form, mask))
            }
            state.patterns.sort { $0.form.count > $1.form.count }
        }
    }

    /// Adds every secret of another redactor.
    public func register(contentsOf other: Redactor) {
        for secret in other.state.withLock({ $0.secrets }) { register(secret) }
    }

    /// Whether nothing is registered.
    public var isEmpty: Bool { state.withLock { $0.secrets.isEmpty } }

    /// `text` with every registered secret masked.
    public func redact(_ text: String) -> String {
        let patterns = state.withLock { $0.patterns }
        guard !patterns.isEmpty, !text.isEmpty else { return text }
        var result = text
        for (form, mask) in patterns where result.contains(form) {
            result = result.replacingOccurrences(of: form, with: mask)
        }
        return result
    }

    /// The masked form of a secret: first 4 and last 4 characters around `…` for 16 or more
    /// characters, `****` otherwise.
    public static func mask(_ secret: String) -> String {
        guard secret.count >= 16 else { return "****" }
        return "\(secret.prefix(4))…\(secret.suffix(4))"
    }
}

extension Redactor {
    /// The redactor of the check running on this task, set by the engine around every attempt.
    /// Code that shortens text a server sent must redact it first (a secret cut in half no
    /// longer matches): ``redactCurrent(_:)`` does that.
    @TaskLocal public static var current: Redactor?

    /// `text` with the running check's secrets masked (unchanged outside a check).
    public static func redactCurrent(_ text: String) -> String {
        current?.redact(text) ?? text
    }
}

extension Decoder {
    /// The run's redactor, when the loader decodes with one.
    public var redactor: Redactor? {
        userInfo[.redactor] as? Redactor
    }
}

extension CodingUserInfoKey {
    /// Where ``ConfigLoader`` puts the run's ``Redactor`` for configuration types to register secrets.
    public static let redactor = CodingUserInfoKey(rawValue: "healthrun.redactor")!
}
