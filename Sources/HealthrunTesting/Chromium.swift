import Foundation

/// Headless Chromium, when installed (`.ci/run` installs Debian's `chromium`): the DOM after
/// load, and screenshots.
public enum Chromium {
    /// The browser's path, or nil when none is installed.
    public static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM of `url` after its scripts ran, as Chromium serialises it. Uses `--timeout`, not
    /// `--virtual-time-budget`: the latter waits for the network to go idle, which a page with an
    /// open event stream never does.
    public static func dumpDOM(of url: String) async throws -> String {
        try await run(["--dump-dom", url])
    }

    /// Saves a screenshot of `url` at `width`×`height` to `path`.
    public static func screenshot(of url: String, to path: String, width: Int = 1200, height: Int = 900)
        async throws
    {
        _ = try await run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(path)", url])
    }

    private static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments =
            ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--timeout=3000"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Void> { continuation in process.terminationHandler = { _ in continuation.finish() } }
        try process.run()
        let reading = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        for await _ in exited {}
        return String(decoding: await reading.value, as: UTF8.self)
    }
}
