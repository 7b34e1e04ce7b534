public import HealthrunCore

/// Which API a `models` check speaks.
public enum ModelProvider: String, Decodable, Sendable, CaseIterable {
    case openai, anthropic, gigachat, generic

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ModelProvider(rawValue: text) else {
            let names = Self.allCases.map(\.rawValue)
            throw ConfigValueError(
                "unknown provider '\(text)'",
                hint: Suggestions.nearest(to: text, in: names).map { "did you mean '\($0)'?" }
                    ?? "use one of: \(names.joined(separator: ", "))"
            )
        }
        self = value
    }

    var defaultURL: String? {
        switch self {
        case .openai: "https://api.openai.com/v1/models"
        case .anthropic: "https://api.anthropic.com/v1/models"
        case .gigachat: "https://gigachat.devices.sberbank.ru/api/v1/models"
        case .generic: nil
        }
    }
}

/// `auth:` of a `models` check: exactly one way of authenticating.
public struct ModelsAuth: Decodable, Sendable {
    public struct Header: Decodable, Sendable {
        public var name: String
        public var value: Secret
    }

    public struct Basic: Decodable, Sendable {
        public var username: String
        public var password: Secret
    }

    public struct OAuth2: Decodable, Sendable {
        public var tokenURL: String
        public var authorization: Secret
        public var scope: String?
        public var headers: HeaderFields?

        enum CodingKeys: String, CodingKey {
            case tokenURL = "token_url"
            case authorization, scope, headers
        }
    }

    public var bearer: Secret?
    public var header: Header?
    public var basic: Basic?
    public var oauth2: OAuth2?
}

/// `expect:` of a `models` check.
public struct ModelsExpectation: Decodable, Sendable {
    /// Ids or names that must be listed.
    public var models: [String]?
    /// How many models at least (default 1).
    public var minModels: Int?

    enum CodingKeys: String, CodingKey {
        case models
        case minModels = "min_models"
    }
}
