#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one rule for wall-clock bounds in tests: a check's promise is its timeout plus half a
/// second (the engine's deadline, then the I/O grace and scheduling on two shared cores), and
/// every bound doubles under a sanitizer, whose instrumented code runs several times slower.
public enum TimeBounds {
    /// Whether this process runs under Address or Thread Sanitizer (their runtimes are linked in).
    public static let isSanitized: Bool = {
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        return dlsym(handle, "__asan_init") != nil || dlsym(handle, "__tsan_init") != nil
    }()

    /// A bound for work that should take about `bound`: doubled under a sanitizer.
    public static func scaled(_ bound: Duration) -> Duration {
        isSanitized ? bound * 2 : bound
    }

    /// How long a check with this timeout may take at most: timeout + 0.5 s, scaled.
    public static func promise(_ timeout: Duration) -> Duration {
        scaled(timeout + .milliseconds(500))
    }
}
