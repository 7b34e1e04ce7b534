#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's open-file limit, which bounds how many checks can be in flight. Changing it is
/// a process-wide act: the CLI does it once at start; the engine never does.
public enum OpenFileLimit {
    /// Descriptors kept aside for the process itself (logs, reports, the event loops).
    public static let reserve = 64
    /// Descriptors one check in flight may need (a plugin: three socket pairs; a connection: one).
    public static let perCheck = 6

    /// Raises the soft limit to the hard limit; returns the soft limit now in force.
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The concurrency that fits in `limit` open files, and whether `requested` had to be lowered.
    public static func clamp(_ requested: Int, limit: Int) -> (concurrency: Int, clamped: Bool) {
        let fits = max(1, (limit - reserve) / perCheck)
        return requested > fits ? (fits, true) : (requested, false)
    }
}
