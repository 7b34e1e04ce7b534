package import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one time format of every output (reports, serve's API, alerts).
package enum Timestamp {
    /// `2026-11-24T12:00:00.000Z`.
    package static func iso8601(_ date: Date) -> String {
        // By hand: an ISO8601DateFormatter costs tens of microseconds to make, and serve's
        // status API formats a time per check per request.
        let totalMs = date.unixMilliseconds
        var seconds = time_t(totalMs >= 0 ? totalMs / 1000 : (totalMs - 999) / 1000)
        let ms = Int(totalMs - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(ms), 3) + "Z"
    }

    /// `iso8601` of a Unix-millisecond time (serve's clock).
    package static func iso8601(unixMilliseconds milliseconds: Int64) -> String {
        iso8601(Date(unixMilliseconds: milliseconds))
    }

    /// Milliseconds rounded to 0.1.
    package static func milliseconds(_ duration: Duration) -> Double {
        (duration.milliseconds * 10).rounded() / 10
    }
}
