import Foundation
import HealthrunCore

/// Server-Sent Events as a byte stream arrives: `event:` and `data:` lines, an event per blank
/// line, comments (`:`) ignored, LF or CRLF line ends.
struct EventStreamParser {
    struct Event: Sendable, Equatable {
        var name: String?
        var data: String
    }

    private var line: [UInt8] = []
    private var name: String?
    private var data: [String] = []

    /// The events `bytes` complete.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [Event] {
        var events: [Event] = []
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            line += rest[..<newline]
            rest = rest[rest.index(after: newline)...]
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            defer { line.removeAll(keepingCapacity: true) }
            if line.isEmpty {
                if !data.isEmpty || name != nil { events.append(Event(name: name, data: data.joined(separator: "\n"))) }
                name = nil
                data = []
                continue
            }
            if line.first == UInt8(ascii: ":") { continue }
            let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
            var valueStart = colon < line.endIndex ? line.index(after: colon) : colon
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            switch String(decoding: line[..<colon], as: UTF8.self) {
            case "event": name = String(decoding: line[valueStart...], as: UTF8.self)
            case "data": data.append(String(decoding: line[valueStart...], as: UTF8.self))
            default: break
            }
        }
        line += rest
        return events
    }
}

/// What a completion answered, read from a whole JSON answer or from stream events as they come.
struct CompletionAnswer {
    var text = ""
    var model: String?
    var stopReason: String?
    var inputTokens: Double?
    var outputTokens: Double?
    /// Text deltas received, and when the first and the last came.
    var deltas = 0
    var firstDeltaAt: ContinuousClock.Instant?
    var lastDeltaAt: ContinuousClock.Instant?
    /// The stream's terminal event (`message_stop`, `[DONE]`) arrived.
    var finished = false
    /// An error the answer carried: its type and message.
    var error: (type: String, message: String)?
    var events = 0

    private static func value(_ document: DetailValue, _ path: String) -> DetailValue? {
        document.value(at: path)
    }

    private static func string(_ document: DetailValue, _ path: String) -> String? {
        document.string(at: path)
    }

    private static func number(_ document: DetailValue, _ path: String) -> Double? {
        document.value(at: path)?.number
    }

    private mutating func addText(_ piece: String, at now: ContinuousClock.Instant) {
        guard !piece.isEmpty else { return }
        text += piece
        deltas += 1
        if firstDeltaAt == nil { firstDeltaAt = now }
        lastDeltaAt = now
    }

    private mutating func readError(_ document: DetailValue) -> Bool {
        guard Self.value(document, "error") != nil else { return false }
        let type = Self.string(document, "error.type") ?? Self.string(document, "error.code") ?? "error"
        let message = Self.string(document, "error.message") ?? (Self.string(document, "error") ?? "")
        self.error = (type, message)
        return true
    }

    // MARK: Anthropic Messages

    /// A whole Messages answer: `content[].text`, `usage`, `stop_reason`, `model`.
    mutating func readAnthropic(_ document: DetailValue, at now: ContinuousClock.Instant) {
        if readError(document) { return }
        model = Self.string(document, "model")
        stopReason = Self.string(document, "stop_reason")
        inputTokens = Self.number(document, "usage.input_tokens")
        outputTokens = Self.number(document, "usage.output_tokens")
        if case .array(let blocks)? = Self.value(document, "content") {
            for block in blocks where Self.string(block, "type") == "text" {
                addText(Self.string(block, "text") ?? "", at: now)
            }
        }
        finished = true
    }

    /// One Messages stream event. The event name and the data's `type` agree; the data's wins.
    mutating func applyAnthropic(_ event: EventStreamParser.Event, at now: ContinuousClock.Instant) {
        events += 1
        if event.name == "ping" { return }
        guard let document = try? JSONBody.parse(Array(event.data.utf8)) else { return }
        switch Self.string(document, "type") ?? event.name {
        case "message_start":
            model = Self.string(document, "message.model") ?? model
            inputTokens = Self.number(document, "message.usage.input_tokens") ?? inputTokens
            outputTokens = Self.number(document, "message.usage.output_tokens") ?? outputTokens
        case "content_block_start":
            if Self.string(document, "content_block.type") == "text" {
                addText(Self.string(document, "content_block.text") ?? "", at: now)
            }
        case "content_block_delta":
            if Self.string(document, "delta.type") == "text_delta" {
                addText(Self.string(document, "delta.text") ?? "", at: now)
            }
        case "message_delta":
            stopReason = Self.string(document, "delta.stop_reason") ?? stopReason
            // Cumulative: the latest count is the total.
            outputTokens = Self.number(document, "usage.output_tokens") ?? outputTokens
            inputTokens = Self.number(document, "usage.input_tokens") ?? inputTokens
        case "message_stop":
            finished = true
        case "error":
            _ = readError(document)
        default:
            break  // ping, content_block_stop, and event types added later
        }
    }

    // MARK: OpenAI Chat Completions (and GigaChat, which has the same shape)

    /// A whole chat completion: `choices[0].message.content`, `finish_reason`, `usage`.
    mutating func readOpenAI(_ document: DetailValue, at now: ContinuousClock.Instant) {
        if readError(document) { return }
        model = Self.string(document, "model")
        stopReason = Self.string(document, "choices.0.finish_reason")
        addText(Self.string(document, "choices.0.message.content") ?? "", at: now)
        inputTokens = Self.number(document, "usage.prompt_tokens")
        outputTokens = Self.number(document, "usage.completion_tokens")
        finished = true
    }

    /// One `data:` chunk; `[DONE]` ends the stream. Usage comes in whichever chunk carries it.
    mutating func applyOpenAI(_ event: EventStreamParser.Event, at now: ContinuousClock.Instant) {
        events += 1
        if event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" {
            finished = true
            return
        }
        guard let document = try? JSONBody.parse(Array(event.data.utf8)) else { return }
        if readError(document) { return }
        model = Self.string(document, "model") ?? model
        addText(Self.string(document, "choices.0.delta.content") ?? "", at: now)
        stopReason = Self.string(document, "choices.0.finish_reason") ?? stopReason
        inputTokens = Self.number(document, "usage.prompt_tokens") ?? inputTokens
        outputTokens = Self.number(document, "usage.completion_tokens") ?? outputTokens
    }
}
