public import HealthrunCore

/// The keys of checks.d that `healthrun serve` owns, registered with the loader as a
/// ``ConfigExtension``: `interval` and `alert` on each check (and under `defaults:`), and the
/// top-level `alerting:` with its channels. A one-shot run registers ``configExtension``'s
/// ``ConfigExtension/unread`` copy: it accepts these keys and reads none of them.
public enum ServeKeys {
    /// How often serve runs a check.
    public static let interval = ConfigKey<CheckInterval>("interval")
    /// When serve alerts about a check.
    public static let alert = ConfigKey<AlertPolicy>("alert")
    /// The top-level section of alert channels.
    public static let alerting = "alerting"
    /// `alerting.telegram`.
    public static let telegram = ConfigKey<AlertingConfiguration.Telegram>("telegram")
    /// `alerting.webhook`.
    public static let webhook = ConfigKey<AlertingConfiguration.Webhook>("webhook")

    /// The channels healthrun can send to.
    static let channelKinds = [telegram.name, webhook.name]

    /// Serve's share of checks.d.
    public static let configExtension: ConfigExtension = {
        var keys = ConfigExtension(owner: "serve")
        keys.addCheckKeys([.init(interval), .init(alert)])
        keys.addSection(alerting, fields: [.init(telegram), .init(webhook)])
        keys.validate = { checks, sections in
            validateChannels(checks, configured: AlertingConfiguration(sections[alerting]).channelNames)
        }
        return keys
    }()

    /// Every `alert.channels` entry names a channel that `alerting:` configures.
    static func validateChannels(_ checks: [CheckDefinition], configured: [String]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for check in checks {
            guard let policy = check.alert else { continue }
            // Located at the check's own `alert:` when it has one, else at the check.
            let location = check.settings.location(of: alert) ?? check.source
            for channel in policy.channels where !configured.contains(channel) {
                let hint: String
                if !channelKinds.contains(channel) {
                    // Not a channel healthrun has: no 'alerting:' section would help.
                    hint =
                        (Suggestions.nearest(to: channel, in: channelKinds).map { "did you mean '\($0)'? " } ?? "")
                        + "supported channels: \(channelKinds.joined(separator: ", "))"
                } else if configured.isEmpty {
                    hint = "add a top-level 'alerting:' with '\(channel):' in one checks.d file"
                } else {
                    hint = "configured channels: \(configured.joined(separator: ", "))"
                }
                diagnostics.append(
                    Diagnostic(
                        channelKinds.contains(channel)
                            ? "check '\(check.name)' alerts channel '\(channel)', which 'alerting:' does not configure"
                            : "check '\(check.name)' alerts channel '\(channel)', which healthrun does not have",
                        at: location,
                        hints: [hint]
                    )
                )
            }
        }
        return diagnostics
    }
}

/// A check's `interval`: at least one second.
public struct CheckInterval: Decodable, Sendable, Hashable {
    /// The interval.
    public var duration: Duration

    /// Creates an interval.
    public init(_ duration: Duration) {
        self.duration = duration
    }

    public init(from decoder: any Decoder) throws {
        duration = try ConfigDuration(from: decoder).duration
        guard duration >= .seconds(1) else {
            throw ConfigValueError("interval must be at least 1s", field: [], hint: "for example 'interval: 30s'")
        }
    }
}

extension CheckDefinition {
    /// How often serve runs it; `nil` is serve's default (60 s).
    public var interval: Duration? {
        get { self[ServeKeys.interval]?.duration }
        set { self[ServeKeys.interval] = newValue.map(CheckInterval.init) }
    }

    /// How often serve runs it: its own `interval`, else its type's default (5 m for a
    /// `completion`, which spends tokens), else serve's.
    public func interval(default fallback: Duration) -> Duration {
        interval ?? Swift.type(of: checker).defaultInterval ?? fallback
    }

    /// When serve alerts about it; `nil` never.
    public var alert: AlertPolicy? {
        get { self[ServeKeys.alert] }
        set { self[ServeKeys.alert] = newValue }
    }
}

extension LoadedConfiguration {
    /// Creates a configuration with alert channels (for tests and embedders).
    public init(
        checks: [CheckDefinition], groups: [GroupDefinition] = [], redactor: Redactor = Redactor(),
        files: [String] = [], alerting: AlertingConfiguration?
    ) {
        self.init(checks: checks, groups: groups, redactor: redactor, files: files)
        self.alerting = alerting
    }

    /// Where serve sends alerts (the top-level `alerting:`), when a file configures it.
    public var alerting: AlertingConfiguration? {
        get { sections[ServeKeys.alerting].map(AlertingConfiguration.init) }
        set {
            guard let newValue else {
                sections[ServeKeys.alerting] = nil
                return
            }
            var values = ConfigValues()
            values[ServeKeys.telegram] = newValue.telegram
            values[ServeKeys.webhook] = newValue.webhook
            sections[ServeKeys.alerting] = values
        }
    }
}

extension AlertingConfiguration {
    /// The channels of an `alerting:` section.
    init(_ values: ConfigValues?) {
        self.init(telegram: values?[ServeKeys.telegram], webhook: values?[ServeKeys.webhook])
    }
}
