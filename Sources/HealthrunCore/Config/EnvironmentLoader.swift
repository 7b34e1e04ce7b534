import Foundation

/// Builds the variables `${VAR}` sees: an env file overlaid by the process environment (the
/// real environment wins).
public enum EnvironmentLoader {
    /// Merges `envFile` (when given, or `./.env` when present) under `processEnvironment`.
    /// A missing file is an error only when it was named explicitly.
    public static func load(
        processEnvironment: [String: String],
        envFile: String?,
        defaultEnvFile: String = ".env"
    ) -> (environment: [String: String], diagnostics: [Diagnostic]) {
        let path = envFile ?? defaultEnvFile
        guard FileManager.default.fileExists(atPath: path) else {
            if let envFile {
                return (
                    processEnvironment,
                    [
                        Diagnostic(
                            "env file '\(envFile)' does not exist", at: nil,
                            hints: ["check the path given to --env-file"])
                    ]
                )
            }
            return (processEnvironment, [])
        }
        let data: Data
        do {
            data = Data(try FileReader.read(path))
        } catch {
            return (
                processEnvironment,
                [Diagnostic("cannot read env file: \(error)", at: SourceLocation(file: path))]
            )
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return (processEnvironment, [Diagnostic("env file is not valid UTF-8", at: SourceLocation(file: path))])
        }
        let (values, diagnostics) = EnvFile.parse(text, file: path)
        return (values.merging(processEnvironment) { _, real in real }, diagnostics)
    }
}
