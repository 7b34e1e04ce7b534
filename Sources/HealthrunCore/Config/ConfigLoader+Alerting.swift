import Yams

extension ConfigLoader {
    static let alertingKeys = ["telegram", "webhook"]

    /// Decodes the top-level `alerting:` key; only one file may have it.
    func decodeAlerting(_ node: Node, file: String, into state: inout LoadState) {
        let session = DecodingSession(file: file, environment: environment, redactor: state.redactor)
        defer { state.diagnostics += session.diagnostics }
        guard case .mapping(let mapping) = node else {
            state.diagnostics.append(
                Diagnostic(
                    "'alerting' must be a mapping", at: session.location(of: node),
                    hints: ["write 'alerting:' followed by 'telegram:' and/or 'webhook:'"])
            )
            return
        }
        let location = session.location(of: node)
        var reader = FieldReader(session: session, mapping: mapping)
        let telegram = reader.read("telegram", as: AlertingConfiguration.Telegram.self)
        let webhook = reader.read("webhook", as: AlertingConfiguration.Webhook.self)
        state.diagnostics += reader.diagnostics
        for key in reader.untouchedKeys() {
            state.diagnostics.append(
                unknownKey(key.name, at: key.location, context: "in 'alerting'", known: Self.alertingKeys))
        }
        reportUnknownNestedKeys(below: mapping, session: session, context: "in 'alerting'", into: &state)
        if let first = state.alerting {
            state.diagnostics.append(
                Diagnostic(
                    "'alerting' is defined in more than one file", at: location,
                    notes: [.init("first defined here", at: first.location)])
            )
            return
        }
        state.alerting = (AlertingConfiguration(telegram: telegram, webhook: webhook), location)
    }

    /// Every `alert.channels` entry names a channel that `alerting:` configures.
    func validateAlertChannels(_ state: inout LoadState) {
        let configured = state.alerting?.configuration.channelNames ?? []
        for reference in state.channelReferences where !configured.contains(reference.channel) {
            let hint: String
            if !Self.alertingKeys.contains(reference.channel) {
                // Not a channel healthrun has: no 'alerting:' section would help.
                hint =
                    (Suggestions.nearest(to: reference.channel, in: Self.alertingKeys).map { "did you mean '\($0)'? " }
                        ?? "") + "supported channels: \(Self.alertingKeys.joined(separator: ", "))"
            } else if configured.isEmpty {
                hint = "add a top-level 'alerting:' with '\(reference.channel):' in one checks.d file"
            } else {
                hint = "configured channels: \(configured.joined(separator: ", "))"
            }
            state.diagnostics.append(
                Diagnostic(
                    Self.alertingKeys.contains(reference.channel)
                        ? "check '\(reference.check)' alerts channel '\(reference.channel)', which 'alerting:' does not configure"
                        : "check '\(reference.check)' alerts channel '\(reference.channel)', which healthrun does not have",
                    at: reference.location,
                    hints: [hint]
                )
            )
        }
    }
}
