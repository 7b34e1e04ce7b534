import HealthrunCore

#if canImport(Glibc)
    public import Glibc
#endif

/// The process groups of plugins and commands still running. A process group is a resource of
/// the whole process, like a file descriptor: when the CLI exits on a signal it ends them all,
/// so no plugin outlives healthrun.
public enum ProcessGroups {
    private static let running = Locked<Set<pid_t>>([])

    static func started(_ group: pid_t) { _ = running.withLock { $0.insert(group) } }

    static func finished(_ group: pid_t) { _ = running.withLock { $0.remove(group) } }

    /// Groups still running.
    public static var active: Set<pid_t> { running.withLock { $0 } }

    /// Sends SIGKILL to every group still running.
    public static func killAll() {
        for group in running.withLock({ $0 }) { kill(-group, SIGKILL) }
    }
}
