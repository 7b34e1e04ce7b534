import Foundation
import HealthrunCore

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

    /// The DOM of `url` after its scripts ran for `wait`: the page stays open that long (an
    /// event stream delivers, timers fire), then the DOM is read through the DevTools protocol
    /// over `--remote-debugging-pipe`. Needs `python3` (a few lines drive the pipe).
    public static func dumpDOM(of url: String, after wait: Duration) async throws -> String {
        try await evaluate("document.documentElement.outerHTML", in: url, after: wait)
    }

    /// The value of a JavaScript expression (as a string) in `url` after its scripts ran for
    /// `wait`, in a viewport of `width`×`height` CSS pixels (a phone's is 390×844). DevTools'
    /// evaluation is not bound by the page's Content-Security-Policy.
    public static func evaluate(
        _ expression: String, in url: String, after wait: Duration, width: Int = 1200, height: Int = 900
    ) async throws -> String {
        try await output(
            of: "/usr/bin/env",
            [
                "python3", "-c", devToolsScript, path!, url, String(wait.seconds), expression, String(width),
                String(height),
            ])
    }

    /// Opens a page in headless Chromium over the DevTools pipe (fds 3 and 4) in a viewport of
    /// the given size, waits, prints the value of an expression.
    static let devToolsScript = #"""
        import json, os, subprocess, sys, time
        browser, url, wait, expression = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
        width, height = int(sys.argv[5]), int(sys.argv[6])
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        def wire():
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)
        proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r); os.close(from_browser_w)
        buffer = b""
        counter = 0
        def call(method, params=None, session=None):
            global buffer, counter
            counter += 1
            message = {"id": counter, "method": method, "params": params or {}}
            if session: message["sessionId"] = session
            os.write(to_browser_w, json.dumps(message).encode() + b"\0")
            while True:
                while b"\0" not in buffer:
                    chunk = os.read(from_browser_r, 65536)
                    if not chunk: raise SystemExit("browser closed the pipe")
                    buffer += chunk
                raw, buffer = buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == counter:
                    if "error" in reply: raise SystemExit(str(reply["error"]))
                    return reply["result"]
        try:
            target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            call("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width <= 480}, session)
            call("Page.navigate", {"url": url}, session)
            time.sleep(wait)
            value = call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
            sys.stdout.write(str(value["result"].get("value")))
        finally:
            try: call("Browser.close")
            except BaseException: pass
            proc.wait(timeout=10)
        """#

    /// Saves a screenshot of `url` at `width`×`height` to `path`.
    public static func screenshot(of url: String, to path: String, width: Int = 1200, height: Int = 900)
        async throws
    {
        _ = try await run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(path)", url])
    }

    private static func run(_ arguments: [String]) async throws -> String {
        try await output(
            of: path!, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--timeout=3000"] + arguments)
    }

    /// Runs `executable` and returns what it printed on stdout once it exited.
    private static func output(of executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
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
