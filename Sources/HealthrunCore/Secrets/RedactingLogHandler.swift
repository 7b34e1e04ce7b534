public import Logging

/// A log handler that masks every registered secret in the message and metadata before
/// handing the line on.
public struct RedactingLogHandler: LogHandler {
    private var wrapped: any LogHandler
    private let redactor: Redactor

    /// Wraps `handler`.
    public init(wrapping handler: any LogHandler, redactor: Redactor) {
        self.wrapped = handler
        self.redactor = redactor
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(redactor.redact(event.message.description))"
        event.metadata = event.metadata.map { metadata in metadata.mapValues { redact($0) } }
        wrapped.log(event: event)
    }

    private func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): return .string(redactor.redact(text))
        case .stringConvertible(let convertible): return .string(redactor.redact(convertible.description))
        case .array(let values): return .array(values.map(redact))
        case .dictionary(let values): return .dictionary(values.mapValues(redact))
        }
    }
}
