import Yams

/// Reads the fields of one mapping one by one, so that one bad field does not hide the others.
struct FieldReader {
    let session: DecodingSession
    let mapping: Node.Mapping
    /// Values by key, built once: a check's reader asks for a dozen keys, most of them absent.
    private let values: MappingValues
    /// Where the keys asked for are noted.
    private let opened: DecodingSession.OpenedMapping
    private(set) var diagnostics: [Diagnostic] = []

    init(session: DecodingSession, mapping: Node.Mapping) {
        self.session = session
        self.mapping = mapping
        values = mapping.valuesByKey
        opened = session.open(mapping)
    }

    /// The decoded value of `key`, `nil` when absent or invalid (then a diagnostic is kept).
    mutating func read<T: Decodable>(_ key: String, as type: T.Type = T.self) -> T? {
        opened.touch(key)
        guard let node = values[key] else { return nil }
        do {
            let decoder = try NodeDecoder(node: node, session: session, codingPath: [AnyCodingKey(stringValue: key)])
            do {
                return try decoder.decode(T.self)
            } catch let error as ConfigValueError {
                diagnostics.append(
                    Diagnostic(error.message, at: decoder.locate(error.field), hints: error.hint.map { [$0] } ?? []))
                return nil
            }
        } catch let failure as NodeDecodingFailure {
            diagnostics.append(failure.diagnostic)
        } catch {
            diagnostics.append(Diagnostic("invalid value for '\(key)': \(error)", at: session.location(of: node)))
        }
        return nil
    }

    /// The items of the list under `key`, each decoded on its own so that every bad item is
    /// reported; `nil` when absent or not a list (then a diagnostic is kept). Bad items are left out.
    mutating func readEach<T: Decodable>(_ key: String, as type: T.Type = T.self) -> [T]? {
        opened.touch(key)
        guard let node = values[key] else { return nil }
        guard case .sequence(let items) = node else {
            diagnostics.append(Diagnostic("'\(key)' must be a list", at: session.location(of: node)))
            return nil
        }
        var values: [T] = []
        for (index, item) in items.enumerated() {
            do {
                let path = [AnyCodingKey(stringValue: key), AnyCodingKey(intValue: index)]
                let decoder = try NodeDecoder(node: item, session: session, codingPath: path)
                do {
                    values.append(try decoder.decode(T.self))
                } catch let error as ConfigValueError {
                    diagnostics.append(
                        Diagnostic(error.message, at: decoder.locate(error.field), hints: error.hint.map { [$0] } ?? [])
                    )
                }
            } catch let failure as NodeDecodingFailure {
                diagnostics.append(failure.diagnostic)
            } catch {
                diagnostics.append(Diagnostic("invalid item of '\(key)': \(error)", at: session.location(of: item)))
            }
        }
        return values
    }

    /// Marks `key` as known without decoding it (a key another command reads).
    func skip(_ key: String) {
        opened.touch(key)
    }

    /// The location of `key`'s value, or of the mapping when the key is absent.
    func location(of key: String) -> SourceLocation {
        session.location(of: values[key]?.mark ?? mapping.mark)
    }

    /// The location of item `index` of the list under `key`.
    func location(of key: String, item index: Int) -> SourceLocation {
        guard case .sequence(let sequence)? = values[key], sequence.indices.contains(index) else {
            return location(of: key)
        }
        return session.location(of: sequence[index])
    }

    /// Keys of the mapping that nothing asked for.
    func untouchedKeys() -> [(name: String, location: SourceLocation)] {
        mapping.keys.compactMap { key in
            let name = key.scalar?.string ?? ""
            return opened.wasTouched(name) ? nil : (name, session.location(of: key))
        }
    }
}

extension Optional where Wrapped == Mark {
    func sameMark(as other: Mark?) -> Bool {
        self?.line == other?.line && self?.column == other?.column
    }
}
