public import HealthrunCore

/// When `healthrun serve` sends alerts for a check: the `alert:` key of a check or of a file's
/// `defaults:`. The one-shot run ignores it.
public struct AlertPolicy: Sendable, Hashable, Decodable {
    /// Failures in a row before a DOWN message.
    public var after: Int
    /// Passes in a row before an UP message.
    public var resolveAfter: Int
    /// Channel names from `alerting:` (`telegram`, `webhook`); empty means every configured one.
    public var channels: [String]
    /// How often a DOWN is repeated while the check stays down; `nil` never.
    public var remind: Duration?
    /// Whether a failover member alerts while another member carries its group (default no:
    /// the group alerts when no member carries it).
    public var onCarried: Bool

    /// Creates a policy.
    public init(
        after: Int = 3, resolveAfter: Int = 2, channels: [String] = [], remind: Duration? = nil,
        onCarried: Bool = false
    ) {
        self.after = after
        self.resolveAfter = resolveAfter
        self.channels = channels
        self.remind = remind
        self.onCarried = onCarried
    }

    enum CodingKeys: String, CodingKey {
        case after
        case resolveAfter = "resolve_after"
        case channels
        case remind
        case onCarried = "on_carried"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        after = try container.decodeIfPresent(Int.self, forKey: .after) ?? 3
        resolveAfter = try container.decodeIfPresent(Int.self, forKey: .resolveAfter) ?? 2
        channels = try container.decodeIfPresent([String].self, forKey: .channels) ?? []
        remind = try container.decodeIfPresent(ConfigDuration.self, forKey: .remind)?.duration
        onCarried = try container.decodeIfPresent(Bool.self, forKey: .onCarried) ?? false
        guard (1...1000).contains(after) else {
            throw ConfigValueError("'after' must be between 1 and 1000, got \(after)", field: ["after"])
        }
        guard (1...1000).contains(resolveAfter) else {
            throw ConfigValueError(
                "'resolve_after' must be between 1 and 1000, got \(resolveAfter)", field: ["resolve_after"])
        }
        if let remind, remind < .seconds(60) {
            throw ConfigValueError(
                "'remind' must be at least 1m", field: ["remind"], hint: "for example 'remind: 1h'")
        }
    }
}

/// Where alerts go: the top-level `alerting:` key of one checks.d file.
public struct AlertingConfiguration: Sendable, Decodable {
    /// A Telegram bot that sends `sendMessage` to a chat.
    public struct Telegram: Sendable, Decodable {
        /// The bot token (a secret: it sits in the request path).
        public var token: Secret
        /// The chat to write to.
        public var chatID: String
        /// The Bot API's base URL.
        public var apiURL: String

        enum CodingKeys: String, CodingKey {
            case token
            case chatID = "chat_id"
            case apiURL = "api_url"
        }

        /// Creates a channel.
        public init(token: Secret, chatID: String, apiURL: String = "https://api.telegram.org") {
            self.token = token
            self.chatID = chatID
            self.apiURL = apiURL
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            token = try container.decode(Secret.self, forKey: .token)
            chatID = try container.decode(String.self, forKey: .chatID)
            apiURL = try container.decodeIfPresent(String.self, forKey: .apiURL) ?? "https://api.telegram.org"
            while apiURL.hasSuffix("/") { apiURL.removeLast() }
            guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else {
                throw ConfigValueError(
                    "api_url must start with http:// or https://", field: ["api_url"],
                    hint: "for example 'api_url: https://api.telegram.org'")
            }
        }
    }

    /// A JSON POST to any URL: healthrun's own body, or Alertmanager's `/api/v2/alerts`.
    public struct Webhook: Sendable, Decodable {
        /// The body's shape.
        public enum Format: String, Sendable, Decodable, CaseIterable {
            /// `{"source": "healthrun", "text", "alerts": [...]}`.
            case healthrun
            /// Alertmanager API v2: a list of alerts with labels, annotations, startsAt, endsAt.
            case alertmanager
        }

        /// Where to POST.
        public var url: String
        /// Extra headers; credential headers are secrets.
        public var headers: HeaderFields
        /// The body's shape.
        public var format: Format

        enum CodingKeys: String, CodingKey {
            case url
            case headers
            case format
        }

        /// Creates a channel.
        public init(url: String, headers: HeaderFields = HeaderFields(), format: Format = .healthrun) {
            self.url = url
            self.headers = headers
            self.format = format
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            url = try container.decode(String.self, forKey: .url)
            headers = try container.decodeIfPresent(HeaderFields.self, forKey: .headers) ?? HeaderFields()
            let formatText = try container.decodeIfPresent(String.self, forKey: .format) ?? "healthrun"
            guard let format = Format(rawValue: formatText) else {
                throw ConfigValueError(
                    "unknown webhook format '\(formatText)'", field: ["format"],
                    hint: "use one of: \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.format = format
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigValueError(
                    "webhook url must start with http:// or https://", field: ["url"])
            }
        }
    }

    /// The Telegram channel, if configured.
    public var telegram: Telegram?
    /// The webhook channel, if configured.
    public var webhook: Webhook?

    /// Creates a configuration.
    public init(telegram: Telegram? = nil, webhook: Webhook? = nil) {
        self.telegram = telegram
        self.webhook = webhook
    }

    /// The names of the configured channels.
    public var channelNames: [String] {
        (telegram == nil ? [] : ["telegram"]) + (webhook == nil ? [] : ["webhook"])
    }
}
