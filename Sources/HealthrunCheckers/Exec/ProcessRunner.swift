import Foundation
import HealthrunCore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a command the way checks need: in its own process group, stdin fed over a socket (so a
/// child that closes it cannot SIGPIPE us), stdout and stderr read without blocking up to a bound
/// (the rest drained and dropped, so the child never blocks on a full pipe), SIGTERM to the whole
/// group at the deadline and SIGKILL a grace later. Children that keep stdout open after the
/// command exits are killed with the group.
enum ProcessRunner {
    static let outputLimit = 64 * 1024
    static let killGrace = ProcessGroups.killGrace
    /// How long after the command exits its pipes may stay open (a forked child holding them).
    static let lingerAfterExit = Duration.milliseconds(200)

    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    struct Outcome: Sendable {
        var termination: Termination?
        var stdout: [UInt8]
        var stderr: [UInt8]
        var stdoutDropped: Int
        var stderrDropped: Int
        var timedOut: Bool
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        var code: Int32
        var command: String

        var description: String {
            switch code {
            case ENOENT: "command not found: \(command)"
            case EACCES: "\(command) is not executable (chmod +x it)"
            case ENOEXEC: "\(command) is not an executable program (missing #! line?)"
            default: "cannot start \(command): \(String(cString: strerror(code)))"
            }
        }
    }

    static func run(
        _ arguments: [String],
        environment: [String: String],
        input: [UInt8],
        deadline: ContinuousClock.Instant
    ) throws -> Outcome {
        var stdinPair: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        // Socket pairs rather than pipes: created close-on-exec atomically (no other spawn in
        // flight can inherit them), and `send(MSG_NOSIGNAL)` cannot raise SIGPIPE.
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &stdinPair) == 0, socketpair(AF_UNIX, kind, 0, &stdoutPipe) == 0,
            socketpair(AF_UNIX, kind, 0, &stderrPipe) == 0
        else { throw CheckFailure("cannot create pipes: \(String(cString: strerror(errno)))") }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // The CLI ignores SIGINT/SIGTERM to handle them itself; children must not inherit that.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        for fd in [stdinPair[1], stdoutPipe[1], stderrPipe[1]] { close(fd) }
        guard spawned == 0 else {
            for fd in [stdinPair[0], stdoutPipe[0], stderrPipe[0]] { close(fd) }
            throw SpawnFailure(code: spawned, command: arguments[0])
        }
        ProcessGroups.started(pid)
        defer { ProcessGroups.finished(pid) }
        return supervise(
            pid: pid,
            stdin: stdinPair[0],
            stdout: stdoutPipe[0],
            stderr: stderrPipe[0],
            input: input,
            deadline: deadline
        )
    }

    private static func supervise(
        pid: pid_t,
        stdin: Int32,
        stdout: Int32,
        stderr: Int32,
        input: [UInt8],
        deadline: ContinuousClock.Instant
    ) -> Outcome {
        for fd in [stdin, stdout, stderr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var outcome = Outcome(
            termination: nil, stdout: [], stderr: [], stdoutDropped: 0, stderrDropped: 0, timedOut: false)
        var stdinFD: Int32? = stdin
        var written = 0
        var stdoutOpen = true
        var stderrOpen = true
        var terminatedAt: ContinuousClock.Instant?
        var killed = false
        var exitedAt: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        func closeStdin() {
            if let fd = stdinFD { close(fd) }
            stdinFD = nil
        }
        if input.isEmpty { closeStdin() }

        func drain(_ fd: Int32, into output: inout [UInt8], dropped: inout Int) -> Bool {
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    let room = max(0, outputLimit - output.count)
                    output += buffer[..<min(count, room)]
                    dropped += max(0, count - room)
                    continue
                }
                if count == 0 { return false }
                return errno == EAGAIN || errno == EINTR
            }
        }

        while true {
            let now = ContinuousClock.now
            if terminatedAt == nil, now >= deadline || Task.isCancelled {
                outcome.timedOut = true
                kill(-pid, SIGTERM)
                terminatedAt = now
            }
            if let terminatedAt, !killed, now >= terminatedAt.advanced(by: killGrace) {
                kill(-pid, SIGKILL)
                killed = true
            }
            if outcome.termination == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    outcome.termination =
                        (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
                    exitedAt = now
                }
            }
            if outcome.termination != nil, !stdoutOpen, !stderrOpen { break }
            if let exitedAt, now >= exitedAt.advanced(by: lingerAfterExit), !killed {
                // The command is gone but something it started holds our pipes: end the group.
                kill(-pid, SIGKILL)
                killed = true
            }
            if let exitedAt, now >= exitedAt.advanced(by: .seconds(2)) { break }

            var fds: [pollfd] = []
            if stdoutOpen { fds.append(pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)) }
            if stderrOpen { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
            if let fd = stdinFD { fds.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), 20)

            if stdoutOpen { stdoutOpen = drain(stdout, into: &outcome.stdout, dropped: &outcome.stdoutDropped) }
            if stderrOpen { stderrOpen = drain(stderr, into: &outcome.stderr, dropped: &outcome.stderrDropped) }
            if let fd = stdinFD {
                let count = input.withUnsafeBytes {
                    send(fd, $0.baseAddress! + written, $0.count - written, Int32(MSG_NOSIGNAL))
                }
                if count > 0 { written += count }
                if written >= input.count || (count < 0 && errno != EAGAIN && errno != EINTR) { closeStdin() }
            }
        }
        closeStdin()
        close(stdout)
        close(stderr)
        if outcome.termination == nil {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            outcome.termination = .signaled(SIGKILL)
        }
        kill(-pid, SIGKILL)  // anything of the group still alive
        return outcome
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
            SIGFPE: "SIGFPE",
            SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGBUS: "SIGBUS",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
