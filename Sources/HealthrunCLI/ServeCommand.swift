import ArgumentParser
import Foundation
import HealthrunCheckers
import HealthrunCore
import HealthrunServe
import Logging

/// `healthrun serve`: the same checks.d, run on a schedule, remembered and shown.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run checks.d on a schedule: history in SQLite, a live status page, a JSON API, /metrics, alerts.",
        discussion: """
            Each check runs every 'interval' (default 60s), its first run spread across the interval by \
            its name. SIGHUP or POST /-/reload re-reads checks.d (an invalid one keeps the running \
            configuration); POST /-/reload only with --enable-lifecycle. SIGTERM/SIGINT: stop \
            scheduling, commit pending results, exit 0. --web-config takes Prometheus' web config \
            file (tls_server_config, basic_auth_users).
            """
    )

    @OptionGroup var load: LoadOptions
    @OptionGroup var limits: RunLimitOptions

    @Option(name: .long, help: "HOST:PORT to listen on (loopback unless you say otherwise; :PORT is every interface).")
    var listen = "127.0.0.1:9090"

    @Option(name: .long, help: "The SQLite history file.")
    var db = "./healthrun.sqlite"

    @Option(
        name: .long, help: "How long history is kept: raw=48h,hourly=90d,daily=2y (keys left out keep their default).")
    var retention = "raw=48h,hourly=90d,daily=2y"

    @Option(
        name: .long,
        help: "A web config file (Prometheus' format): tls_server_config and/or basic_auth_users (bcrypt).")
    var webConfig: String?

    @Flag(name: .long, help: "Let POST /-/reload re-read checks.d (SIGHUP always does).")
    var enableLifecycle = false

    @Option(name: .long, help: "Connections served at once; more get 503 and Retry-After.")
    var maxConnections = ServeLimits().maxConnections

    @Flag(
        name: .long,
        help: "Run checks.d files, plugins and env files that other users can change (refused by default).")
    var allowInsecureFiles = false

    @Flag(name: [.customShort("v"), .long], help: "Log each attempt to stderr.")
    var verbose = false

    func validate() throws {
        _ = try Self.parseListen(listen)
        guard maxConnections >= 1 else { throw ValidationError("--max-connections: must be at least 1") }
        do {
            _ = try Retention(parsing: retention)
        } catch {
            throw ValidationError("--retention: \(error.description)")
        }
    }

    static func parseListen(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen: expected HOST:PORT such as 127.0.0.1:9090, got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // `:9090` listens on every interface, as Prometheus' --web.listen-address does.
        if host.isEmpty { host = "0.0.0.0" }
        return (host, port)
    }

    func run() async throws {
        let session = Session(concurrency: limits.concurrency, pluginsDirectory: load.plugins)
        let checkTrust = !allowInsecureFiles
        if checkTrust {
            let untrusted = session.untrustedFiles(load.location)
            if !untrusted.isEmpty {
                printError(untrusted.map { "healthrun serve: \($0)" }.joined(separator: "\n"))
                throw ExitCode(2)
            }
        }
        let configuration = session.load(load.location, defaultTimeout: limits.defaultTimeout, serve: true)
        let (host, port) = try Self.parseListen(listen)
        var logger = Logger(label: "healthrun") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .info
        var options = ServeRuntime.Options()
        options.retention = try Retention(parsing: retention)

        var http = ServeServer.HTTPOptions()
        http.lifecycle = enableLifecycle
        http.limits.maxConnections = maxConnections
        if let webConfig {
            do {
                http.web = try WebConfiguration.load(path: webConfig)
            } catch {
                printError("healthrun serve: \(error)")
                throw ExitCode(2)
            }
        }
        if let problem = ListenProbe.problem(host: host, port: port) {
            printError("healthrun serve: cannot listen on \(listen): \(problem)")
            throw ExitCode(1)
        }
        let store: ResultStore
        do {
            store = try ResultStore(path: db)
        } catch let problem as ResultStore.OpenProblem {
            printError("healthrun serve: \(problem)")
            throw ExitCode(2)
        } catch {
            printError("healthrun serve: cannot open the history database '\(db)': \(error)")
            throw ExitCode(2)
        }
        let engine = Engine(
            concurrency: RunExecution.fittingConcurrency(limits.concurrency), logger: logger, tool: session.tool)
        let runtime = try ServeRuntime(
            configuration: configuration, store: store, engine: engine, options: options, logger: logger)
        let load = self.load
        let log = logger
        let reload: @Sendable () -> ReloadOutcome = {
            if checkTrust {
                let untrusted = session.untrustedFiles(load.location)
                if !untrusted.isEmpty {
                    log.error("reload refused; the running configuration stays\n\(untrusted.joined(separator: "\n"))")
                    return .rejected(diagnostics: untrusted)
                }
            }
            do {
                let fresh = try session.tryLoad(load.location, defaultTimeout: limits.defaultTimeout, serve: true)
                runtime.reload(fresh)
                log.info("reloaded checks.d", metadata: ["checks": "\(fresh.checks.count)"])
                return .reloaded(checks: fresh.checks.count)
            } catch let error as ConfigurationError {
                log.error("reload rejected; the running configuration stays\n\(error.description)")
                return .rejected(diagnostics: error.description.split(separator: "\n").map(String.init))
            } catch {
                return .rejected(diagnostics: ["\(error)"])
            }
        }
        let checkCount = configuration.checks.count
        let dbPath = db
        let scheme = http.web?.tls == nil ? "http" : "https"
        let server = try ServeServer(
            runtime: runtime, reload: reload, host: host, port: port, http: http, logger: logger,
            serverLogger: {
                var quiet = logger
                quiet.logLevel = verbose ? .debug : .warning
                return quiet
            }(),
            onListening: { bound in
                printError(
                    "healthrun serve: \(checkCount) checks, listening on \(scheme)://\(host):\(bound)/, history in \(dbPath)"
                )
            })
        let signals = ServeSignals()
        signals.start(
            onStop: { number in
                printError(
                    "healthrun serve: \(number == SIGINT ? "interrupted" : "terminated"); committing and exiting")
                Task { await server.stop() }
            },
            onReload: { _ = reload() }
        )
        do {
            try await server.run()
        } catch {
            await session.http.shutdown()
            printError("healthrun serve: cannot listen on \(listen): \(error)")
            throw ExitCode(1)
        }
        await session.http.shutdown()
        ProcessGroups.terminateAll()
        printError("healthrun serve: stopped")
    }
}

/// SIGTERM/SIGINT stop (a watchdog exits if stopping takes over 4.5 s); SIGHUP reloads.
final class ServeSignals: Sendable {
    private let sources = Locked<(count: Int, all: [any DispatchSourceSignal])>((0, []))

    func start(onStop: @escaping @Sendable (Int32) -> Void, onReload: @escaping @Sendable () -> Void) {
        var made: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if number == SIGHUP {
                    onReload()
                    return
                }
                onStop(number)
                DispatchQueue.global().asyncAfter(deadline: .now() + 4.5) {
                    printError("healthrun serve: shutdown took longer than 4.5 s; exiting")
                    exit(1)
                }
            }
            source.resume()
            made.append(source)
        }
        sources.withLock { $0 = (made.count, made) }
    }
}

/// Binds the address once before anything starts, for a clear "address already in use".
enum ListenProbe {
    static func problem(host: String, port: Int) -> String? {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            return "cannot resolve '\(host)': \(String(cString: gai_strerror(status)))"
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            return code == EADDRINUSE
                ? "address already in use (another process listens there; pick another port with --listen)"
                : String(cString: strerror(code))
        }
        return nil
    }
}
