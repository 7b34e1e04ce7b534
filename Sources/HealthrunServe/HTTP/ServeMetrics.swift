import HealthrunCore
import HealthrunReporters

/// `/metrics`: the prometheus reporter's per-check series (same names), each check's 24 h
/// uptime ratio, and the server's own series.
enum ServeMetrics {
    static func render(_ runtime: ServeRuntime, now: Int64) -> String {
        let state = runtime.state
        let report = state.report()
        var text = ""
        for family in PrometheusReporter.families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for check in report.checks where state.latest(check.name) != nil {
                text += "\(family.name){\(PrometheusReporter.labels(check))} \(family.value(check))\n"
            }
        }
        // The latest value of each metric series, and whether the metrics with thresholds breach them.
        text += PrometheusReporter.metricSeries(report.checks.filter { state.latest($0.name) != nil })
        text += thresholdSeries(state)
        if !report.groups.isEmpty {
            text +=
                "# HELP healthrun_group_up 1 while a group passes (a failover group: some member carries it), 0 when it fails.\n# TYPE healthrun_group_up gauge\n"
            for group in report.groups {
                text +=
                    "healthrun_group_up{group=\"\(Escaping.prometheusLabel(group.name))\",policy=\"\(group.policy.rawValue)\"} \(group.status == .fail ? 0 : 1)\n"
            }
        }
        let spent = state.probeTokens
        if !spent.isEmpty {
            text +=
                "# HELP healthrun_probe_tokens_total Tokens the checks themselves spent (input and output of canaries) since serve started.\n# TYPE healthrun_probe_tokens_total counter\n"
            for (check, tokens) in spent.sorted(by: { $0.key < $1.key }) {
                text +=
                    "healthrun_probe_tokens_total{check=\"\(Escaping.prometheusLabel(check))\"} \(PrometheusReporter.format(tokens))\n"
            }
        }
        text +=
            "# HELP healthrun_check_uptime_ratio Passing runs over runs that ran: 24h over hours, 7d/30d/90d over UTC days.\n"
        text += "# TYPE healthrun_check_uptime_ratio gauge\n"
        for check in report.checks {
            let label = Escaping.prometheusLabel(check.name)
            let windows: [(String, Double?)] = [
                ("24h", state.recentUptime(check.name, now: now)),
                ("7d", state.dailyUptimeRatio(check.name, days: 7, now: now)),
                ("30d", state.dailyUptimeRatio(check.name, days: 30, now: now)),
                ("90d", state.dailyUptimeRatio(check.name, days: 90, now: now)),
            ]
            for (window, uptime) in windows {
                guard let uptime else { continue }
                text +=
                    "healthrun_check_uptime_ratio{check=\"\(label)\",window=\"\(window)\"} \(PrometheusReporter.format(uptime))\n"
            }
        }
        let counters = state.serverCounters
        func gauge(_ name: String, _ help: String, _ value: Double, type: String = "gauge") {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(PrometheusReporter.format(value))\n"
        }
        text += "# HELP healthrun_serve_scheduler_lag_seconds How late runs start after their tick.\n"
        text += "# TYPE healthrun_serve_scheduler_lag_seconds summary\n"
        for q in [0.5, 0.99] {
            let value = (counters.lag.quantile(q) ?? 0) / 1000
            text += "healthrun_serve_scheduler_lag_seconds{quantile=\"\(q)\"} \(PrometheusReporter.format(value))\n"
        }
        text += "healthrun_serve_scheduler_lag_seconds_count \(counters.lagCount)\n"
        gauge(
            "healthrun_serve_skipped_runs_total", "Ticks skipped because the previous run overran.",
            Double(runtime.skippedTicks), type: "counter")
        gauge(
            "healthrun_serve_write_batch_size", "Results in the last committed batch.", Double(counters.lastBatchSize))
        gauge(
            "healthrun_serve_stored_results_total", "Results committed to the database.",
            Double(counters.storedResults),
            type: "counter")
        gauge(
            "healthrun_serve_db_size_bytes", "Database, WAL and shared-memory files.",
            Double(runtime.store.sizeOnDisk()))
        gauge(
            "healthrun_serve_store_write_errors_total", "History writes that failed (a full disk, a read-only file).",
            Double(counters.storeWriteErrors), type: "counter")
        gauge(
            "healthrun_serve_store_up", "1 while history is written, 0 while writes fail.",
            runtime.state.storeProblem == nil ? 1 : 0)
        gauge(
            "healthrun_serve_alerts_coalesced_total",
            "Alert notices replaced by a newer one about the same check before delivery.",
            Double(runtime.alertCounters.coalesced), type: "counter")
        gauge("healthrun_serve_reloads_total", "Configurations swapped in.", Double(counters.reloads), type: "counter")
        let alerts = runtime.alertCounters
        gauge("healthrun_serve_alerts_sent_total", "Alert messages delivered.", Double(alerts.sent), type: "counter")
        gauge(
            "healthrun_serve_alerts_failed_total", "Alert messages given up on after every retry.",
            Double(alerts.failed),
            type: "counter")
        gauge(
            "healthrun_serve_alert_retries_total", "Alert deliveries retried.", Double(alerts.retries), type: "counter")
        return text
    }

    /// `healthrun_check_threshold_breached{check,metric}`: 1 while any series of a metric with
    /// thresholds breaches one (warn or fail), 0 while none does; absent until the check's latest
    /// result reports the metric.
    static func thresholdSeries(_ state: LiveState) -> String {
        var lines = ""
        for check in state.configuration.checks where !check.thresholds.isEmpty {
            guard let latest = state.latest(check.name) else { continue }
            for name in check.thresholds.metricNames {
                let reported = latest.metrics.filter { $0.name == name }
                guard !reported.isEmpty else { continue }
                let breached = reported.contains { $0.breach != nil }
                lines +=
                    "healthrun_check_threshold_breached{check=\"\(Escaping.prometheusLabel(check.name))\",metric=\"\(name)\"} \(breached ? 1 : 0)\n"
            }
        }
        guard !lines.isEmpty else { return "" }
        return
            "# HELP healthrun_check_threshold_breached 1 while a metric breaches one of its thresholds (warn or fail).\n"
            + "# TYPE healthrun_check_threshold_breached gauge\n" + lines
    }
}
