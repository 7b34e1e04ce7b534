import Foundation

/// One checks.d file's path (as shown in diagnostics) and text.
public struct ConfigSource: Sendable, Hashable {
    /// The path as the user would write it: `checks.d/llm.yaml`.
    public var path: String
    /// The file's text.
    public var text: String

    /// Creates a source.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// Reads every `*.yaml` / `*.yml` file of `directory` in lexical order, ignoring dot-files.
    /// Problems (a missing directory, an unreadable file, a directory named `x.yaml`, bytes
    /// that are not UTF-8) come back as diagnostics.
    public static func read(directory: String) -> (sources: [ConfigSource], diagnostics: [Diagnostic]) {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return (
                [],
                [
                    Diagnostic(
                        "checks directory '\(directory)' does not exist",
                        at: nil,
                        hints: [
                            "create it with one YAML file per service, or name yours with -d/--checks-dir or HEALTHRUN_CHECKS_DIR"
                        ]
                    )
                ]
            )
        }
        guard isDirectory.boolValue else {
            // A single file, as Goss and Gatus users pass one.
            return readFile(directory)
        }
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: directory)
        } catch {
            return ([], [Diagnostic("cannot list '\(directory)': \(Self.reason(error))", at: nil)])
        }
        var sources: [ConfigSource] = []
        var diagnostics: [Diagnostic] = []
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        where !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) {
            var path = prefix + name
            if path.hasPrefix("./") { path.removeFirst(2) }
            var entryIsDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: path, isDirectory: &entryIsDirectory), entryIsDirectory.boolValue {
                diagnostics.append(
                    Diagnostic(
                        "'\(path)' is a directory, not a YAML file", at: SourceLocation(file: path),
                        hints: ["rename it or move it out of \(directory)"])
                )
                continue
            }
            let data: Data
            do {
                data = Data(try FileReader.read(path))
            } catch {
                diagnostics.append(
                    Diagnostic("cannot read file: \(error)", at: SourceLocation(file: path)))
                continue
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                diagnostics.append(Self.invalidUTF8(data, path: path))
                continue
            }
            sources.append(ConfigSource(path: path, text: text))
        }
        return (sources, diagnostics)
    }

    /// One checks file named by `-d`.
    static func readFile(_ path: String) -> (sources: [ConfigSource], diagnostics: [Diagnostic]) {
        let data: Data
        do {
            data = Data(try FileReader.read(path))
        } catch {
            return ([], [Diagnostic("cannot read file: \(error)", at: SourceLocation(file: path))])
        }
        guard let text = String(validating: data, as: UTF8.self) else { return ([], [invalidUTF8(data, path: path)]) }
        return ([ConfigSource(path: path, text: text)], [])
    }

    private static func invalidUTF8(_ data: Data, path: String) -> Diagnostic {
        // Find the first bad byte's line and column for the message.
        var line = 1
        var lineStart = 0
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + 4)
            let isValid = (1...4).contains { length in
                index + length <= end && String(validating: bytes[index..<index + length], as: UTF8.self) != nil
            }
            if !isValid { break }
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += bytes[index] < 0x80 ? 1 : (bytes[index] >= 0xF0 ? 4 : bytes[index] >= 0xE0 ? 3 : 2)
        }
        return Diagnostic(
            "file is not valid UTF-8 (byte 0x\(String(bytes[min(index, bytes.count - 1)], radix: 16)) at offset \(index))",
            at: SourceLocation(file: path, line: line, column: index - lineStart + 1),
            hints: ["save the file as UTF-8"]
        )
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))).lowercased() }
        return nsError.localizedDescription
    }
}
