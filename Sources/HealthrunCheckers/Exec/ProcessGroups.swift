import HealthrunCore

#if canImport(Glibc)
    public import Glibc
#endif

/// The process groups of plugins and commands still running. A process group is a resource of
/// the whole process, like a file descriptor: when the CLI exits on a signal it ends them all,
/// so no plugin outlives healthrun.
public enum ProcessGroups {
    /// How long a process group has between SIGTERM and SIGKILL.
    public static let killGrace = Duration.milliseconds(500)

    private static let running = Locked<Set<pid_t>>([])

    static func started(_ group: pid_t) { _ = running.withLock { $0.insert(group) } }

    static func finished(_ group: pid_t) { _ = running.withLock { $0.remove(group) } }

    /// Groups still running.
    public static var active: Set<pid_t> { running.withLock { $0 } }

    /// Sends SIGKILL to every group still running.
    public static func killAll() {
        for group in running.withLock({ $0 }) { kill(-group, SIGKILL) }
    }

    /// Ends every group still running before the process exits: SIGTERM, then SIGKILL to what is
    /// left after `grace`, then a short wait for the supervising threads to reap them, so that
    /// no plugin outlives healthrun (a plugin that ignores SIGTERM would otherwise be re-parented
    /// to init when healthrun exits before the kill that follows a timeout). Returns at most
    /// `grace` + 250 ms after it is called, at once when nothing runs.
    public static func terminateAll(grace: Duration = killGrace) {
        let groups = active
        guard !groups.isEmpty else { return }
        for group in groups { kill(-group, SIGTERM) }
        let clock = ContinuousClock()
        let killAt = clock.now.advanced(by: grace)
        while !active.isEmpty, clock.now < killAt { usleep(10_000) }
        for group in active { kill(-group, SIGKILL) }
        let reapBy = clock.now.advanced(by: .milliseconds(250))
        while !active.isEmpty, clock.now < reapBy { usleep(5_000) }
    }
}
