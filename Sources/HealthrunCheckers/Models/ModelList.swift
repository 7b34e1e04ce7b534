import HealthrunCore

/// A listed model: its id and, when the provider gives one, a display name.
struct ModelEntry: Sendable, Hashable {
    var id: String
    var name: String?

    /// `Claude Sonnet 4.5 (sonnet)`, or the id alone.
    var label: String {
        guard let name, name != id else { return id }
        return "\(name) (\(id))"
    }
}

/// One page of a model listing: `{"data": [...]}`, `{"models": [...]}` or a bare array, with
/// entries as strings or objects (`id` / `name` / `display_name` / `model`), and Anthropic's
/// `has_more` / `last_id` cursor.
struct ModelList {
    var models: [ModelEntry]
    var nextCursor: String?

    static func parse(_ body: [UInt8], truncated: Bool) throws -> ModelList {
        let document = try JSONBody.parse(body, truncated: truncated)
        let items: [DetailValue]
        var nextCursor: String?
        switch document {
        case .array(let array):
            items = array
        case .object(let object):
            if case .array(let array)? = object["data"] {
                items = array
            } else if case .array(let array)? = object["models"] {
                items = array
            } else {
                let keys = object.keys.sorted().prefix(8).joined(separator: ", ")
                throw CheckFailure("unexpected JSON shape: no 'data' or 'models' list (keys: \(keys))")
            }
            if case .bool(true)? = object["has_more"], case .string(let last)? = object["last_id"] {
                nextCursor = last
            }
        default:
            throw CheckFailure("unexpected JSON shape: expected an object or a list of models")
        }
        let models = items.compactMap(entry)
        if models.count < items.count {
            throw CheckFailure("unexpected JSON shape: \(items.count - models.count) list entries have no id or name")
        }
        return ModelList(models: models, nextCursor: nextCursor)
    }

    private static func entry(_ item: DetailValue) -> ModelEntry? {
        switch item {
        case .string(let id):
            return ModelEntry(id: id)
        case .object(let object):
            func text(_ key: String) -> String? {
                if case .string(let value)? = object[key], !value.isEmpty { return value }
                return nil
            }
            guard let id = text("id") ?? text("model") ?? text("name") else { return nil }
            return ModelEntry(id: id, name: text("display_name") ?? (text("name") != id ? text("name") : nil))
        default:
            return nil
        }
    }
}
