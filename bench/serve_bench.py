#!/usr/bin/env python3
"""healthrun serve under load: 1,000 checks on a schedule against nginx, then a soak.

Measures what issue 9 sets targets for and checks what must hold (exit 1 when it does not):
  - RSS after warm-up and its growth over the soak (target: <= 60 MB, < 5 % growth);
  - GET / with every check, asked for as a browser does (Accept-Encoding: gzip): time and bytes
    on the wire, and the size unpacked (target: < 300 ms, < 150 KB compressed);
  - GET /api/v1/status p50/p99 (target: p99 < 20 ms);
  - scheduler lag p50/p99 from /metrics (target: p99 < 100 ms) and skipped runs;
  - SIGTERM: exit 0 within 5 s, `PRAGMA integrity_check` ok;
  - the store alone: results written per second in the writer's batches (target: >= 20,000/s)
    and bytes per row, projected to 90 days of 1,000 checks at 1/min (target: < 1 GB), without
    metrics and with --metrics (5) per result; exit 1 when the projection with metrics is
    1 GB or more on day 90, or its rate is under half the rate without metrics;
  - serve again with checks that report --metrics values each (exec plugins printing perfdata):
    RSS, results stored per second, series in /metrics (--metrics-soak seconds; 0 skips it).

    python3 bench/serve_bench.py --healthrun .build-release/release/healthrun [--checks 1000]
        [--interval 60] [--warmup 70] [--soak 120] [--store-hours 24] [--metrics 5]
        [--metrics-soak 120] [--out DIR]
"""

import argparse
import gzip
import http.client
import json
import os
import pathlib
import re
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import Targets, free_port, wait_for_port  # noqa: E402


def rss_mib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    start = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    encoding = response.getheader("Content-Encoding")
    connection.close()
    if encoding == "gzip":
        return response.status, gzip.decompress(body), elapsed, len(body)
    return response.status, body, elapsed, len(body)


def get_tls(port, path, cafile, headers=None):
    context = ssl.create_default_context(cafile=cafile)
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    start = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    connection.close()
    return response.status, body, elapsed


def tls_page(binary, work, checks, rounds=30):
    """The page over TLS (a new connection, handshake included, each time): serve restarted on
    the soak's history, so every check has its latest result at once, with a web config of a
    test CA's certificate."""
    certs = work / "certs"
    certs.mkdir()
    subprocess.run([sys.executable, str(HERE.parent / "scripts" / "make-test-certs.py"), str(certs), "30"], check=True)
    web = work / "web.yml"
    web.write_text(f"tls_server_config:\n  cert_file: {certs}/server.pem\n  key_file: {certs}/server-key.pem\n")
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "-d", str(checks), "--listen", f"127.0.0.1:{port}", "--db", str(work / "h.sqlite"),
         "--web-config", str(web)],
        stdout=subprocess.DEVNULL, stderr=open(work / "serve-tls.log", "w"))
    try:
        wait_for_port(port)
        cafile = str(certs / "ca.pem")
        get_tls(port, "/", cafile, {"Accept-Encoding": "gzip"})
        times = [get_tls(port, "/", cafile, {"Accept-Encoding": "gzip"})[2] for _ in range(rounds)]
        return {"page_ms_p50": round(statistics.median(times), 1), "page_ms_max": round(max(times), 1),
                "requests": rounds}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def slope(xs, ys):
    """Theil-Sen: the median of the slopes between every two samples, so that a transient spike
    (a write batch, a page being compressed) does not read as a trend."""
    pairs = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[j] > xs[i]]
    return statistics.median(pairs) if len(xs) >= 3 and pairs else 0.0


def growth_pct(samples):
    """Growth from the median of the first three samples to the median of the last three."""
    head, tail = statistics.median(samples[:3]), statistics.median(samples[-3:])
    return round((tail - head) / head * 100, 1)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def metric(text, name):
    match = re.search(r"^" + re.escape(name) + r" ([0-9.e+-]+)$", text, re.M)
    return float(match.group(1)) if match else None


def sqlite(db, sql):
    return subprocess.run(["sqlite3", str(db), sql], capture_output=True, text=True, check=True).stdout


def store_benchmark(binary, work, hours, checks, metrics=0):
    """The writer alone: `hours` of 1,000 checks at 1/min, each result with `metrics` metrics."""
    db = work / f"store-{metrics}.sqlite"
    output = subprocess.run([binary, "_bench-store", "--db", str(db), "--checks", str(checks), "--hours", str(hours),
                             "--metrics", str(metrics)], capture_output=True, text=True, check=True).stdout
    fields = dict(part.split("=") for part in output.split())
    sizes = dict(line.split("|") for line in sqlite(db, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").split())
    results = int(fields["results"])
    rollup_rows = int(sqlite(db, "SELECT COUNT(*) FROM rollups"))
    raw_bytes = sum(int(sizes.get(name, 0)) for name in ("results", "results_by_check", "results_by_time"))
    per_result = raw_bytes / results
    per_rollup = int(sizes.get("rollups", 0)) / rollup_rows
    # Steady state with the default retention: 48 h of raw results, 90 days of hourly rollups,
    # two years of daily ones (the daily rows exist from day one, so count all 730).
    raw_rows = 1000 * 60 * 48
    hourly_rows = 1000 * 24 * 90
    daily_rows = 1000 * 730
    projected = raw_rows * per_result + (hourly_rows + daily_rows) * per_rollup
    report = {
        "metrics_per_result": metrics, "results": results, "seconds": float(fields["seconds"]),
        "rate": int(fields["rate"]), "bytes_per_result": round(per_result, 1),
        "bytes_per_rollup": round(per_rollup, 1),
    }
    if metrics:
        # A result's values are one packed row (as long as raw results); a series' hourly rollups
        # are packed a day to a row (90 days), its daily ones a row each (two years). Hours are
        # rolled up once they are over: the mark says up to where.
        packed_rows = int(sqlite(db, "SELECT COUNT(*) FROM result_metrics"))
        points = packed_rows * metrics
        per_point = int(sizes.get("result_metrics", 0)) / points
        series = int(sqlite(db, "SELECT COUNT(*) FROM series"))
        mark = int(sqlite(db, "SELECT value FROM store_marks WHERE name = 'metric_hours_through'"))
        first_hour = int(sqlite(db, "SELECT min(at) FROM results")) // 3_600_000 * 3_600_000
        series_hours = series * (mark - first_hour) // 3_600_000
        per_series_hour = int(sizes.get("metric_hours", 0)) / series_hours
        daily_metric_rows = int(sqlite(db, "SELECT COUNT(*) FROM metric_rollups"))
        per_metric_rollup = int(sizes.get("metric_rollups", 0)) / daily_metric_rows
        projected += metrics * (raw_rows * per_point + hourly_rows * per_series_hour + daily_rows * per_metric_rollup)
        report.update({"metric_points": points, "bytes_per_metric_point": round(per_point, 1),
                       "bytes_per_metric_hour": round(per_series_hour, 1),
                       "bytes_per_metric_rollup": round(per_metric_rollup, 1)})
    report["projected_90d_mb"] = round(projected / 1e6, 1)
    # The same on day 90 exactly: 90 daily rows per series, not 730.
    at_day_90 = projected - (daily_rows - 1000 * 90) * (per_rollup + (metrics * per_metric_rollup if metrics else 0))
    report["projected_at_day_90_mb"] = round(at_day_90 / 1e6, 1)
    return report


def metrics_soak(binary, work, checks, interval, warmup, soak, metrics):
    """serve with `checks` exec checks whose plugin reports `metrics` perfdata values each run:
    RSS after warm-up and at the end, results and metric points stored per second."""
    plugin = work / "five_metrics.sh"
    values = " ".join(f"m{index}={index + 1}ms;;;;" for index in range(metrics))
    plugin.write_text(f"#!/bin/sh\necho 'OK - usage read | {values}'\n")
    plugin.chmod(0o755)
    directory = work / "metrics.d"
    directory.mkdir()
    lines = [f"defaults:\n  interval: {interval}s\n  timeout: 5s\nchecks:"]
    for index in range(checks):
        lines.append(f"  - name: usage-{index:04d}\n    type: exec\n    command: [{plugin}]")
    (directory / "bench.yaml").write_text("\n".join(lines) + "\n")
    port = free_port()
    db = work / "metrics.sqlite"
    server = subprocess.Popen(
        [binary, "serve", "-d", str(directory), "--listen", f"127.0.0.1:{port}", "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=open(work / "serve-metrics.log", "w"))
    try:
        wait_for_port(port)
        time.sleep(warmup)
        for path in ("/", "/api/v1/status", "/metrics", "/checks/usage-0000"):
            get(port, path, {"Accept-Encoding": "gzip"})
        start_rss = rss_mib(server.pid)
        start_stored = metric(get(port, "/metrics")[1].decode(), "healthrun_serve_stored_results_total")
        started = time.monotonic()
        samples = [start_rss]
        while time.monotonic() - started < soak:
            time.sleep(min(10, soak - (time.monotonic() - started)))
            samples.append(rss_mib(server.pid))
        exposition = get(port, "/metrics")[1].decode()
        elapsed = time.monotonic() - started
        stored = metric(exposition, "healthrun_serve_stored_results_total") - start_stored
        series = len(re.findall(r"^healthrun_check_metric\{", exposition, re.M))
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        # Each result's values are one packed row; the plugin reports `metrics` of them.
        points = int(sqlite(db, "SELECT COUNT(*) FROM result_metrics")) * metrics
        return {
            "checks": checks, "metrics_per_check": metrics, "interval_s": interval,
            "rss_after_warmup_mib": round(start_rss, 1), "rss_end_mib": round(samples[-1], 1),
            "rss_growth_median_pct": growth_pct(samples) if len(samples) >= 3 else None,
            "results_per_s": round(stored / elapsed, 1), "series_in_metrics": series,
            "metric_points_stored": points, "integrity": sqlite(db, "PRAGMA integrity_check").strip(),
        }
    finally:
        if server.poll() is None:
            server.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--healthrun", required=True)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--interval", type=int, default=60, help="seconds")
    parser.add_argument("--warmup", type=int, default=70, help="seconds before the first RSS sample")
    parser.add_argument("--soak", type=int, default=120, help="seconds of soak after warm-up")
    parser.add_argument("--store-hours", type=int, default=24)
    parser.add_argument("--max-growth", type=float, default=10, help="RSS growth %% that fails the soak")
    parser.add_argument("--metrics-soak", type=int, default=120,
                        help="seconds of a second serve run whose checks report --metrics values each (0: skip)")
    parser.add_argument("--metrics", type=int, default=5, help="metrics per check in the metrics run and store bench")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="healthrun-serve-bench-"))
    os.chmod(work, 0o755)
    targets = Targets(work)
    targets.start_nginx()
    checks = work / "checks.d"
    checks.mkdir()
    lines = [f"defaults:\n  interval: {args.interval}s\n  timeout: 5s\nchecks:"]
    for index in range(args.checks):
        lines.append(f"  - name: endpoint-{index:04d}\n    type: http\n    url: {targets.base}/health")
    (checks / "bench.yaml").write_text("\n".join(lines) + "\n")
    port = free_port()
    server = subprocess.Popen(
        [args.healthrun, "serve", "-d", str(checks), "--listen", f"127.0.0.1:{port}", "--db", str(work / "h.sqlite")],
        stdout=subprocess.DEVNULL, stderr=open(work / "serve.log", "w"))
    problems = []
    result = {"checks": args.checks, "interval_s": args.interval}
    try:
        started = time.monotonic()
        wait_for_port(port)
        while get(port, "/readyz")[0] != 200:
            if time.monotonic() - started > args.interval + 30:
                problems.append("not ready within interval + 30 s")
                break
            time.sleep(0.5)
        result["ready_after_s"] = round(time.monotonic() - started, 1)
        time.sleep(max(0, args.warmup - (time.monotonic() - started)))
        # Warm-up ends with every endpoint served once: the first page and status answers grow
        # the allocator's arenas, which is start-up, not a leak.
        for path in ("/", "/api/v1/status", "/metrics", "/checks/endpoint-0000"):
            get(port, path)
            get(port, path, {"Accept-Encoding": "gzip"})
        time.sleep(2)
        samples = [rss_mib(server.pid)]
        sample_times = [time.monotonic()]
        page_times, status_times, page_sizes = [], [], []
        soak_end = time.monotonic() + args.soak
        while time.monotonic() < soak_end:
            for _ in range(3):
                status, body, elapsed, wire = get(port, "/", {"Accept-Encoding": "gzip, deflate, br"})
                page_times.append(elapsed)
                page_sizes.append((len(body), wire))
            for _ in range(20):
                status_times.append(get(port, "/api/v1/status")[2])
            time.sleep(max(0, min(10, soak_end - time.monotonic())))
            samples.append(rss_mib(server.pid))
            sample_times.append(time.monotonic())
        metrics = get(port, "/metrics")[1].decode()
        result.update({
            "rss_after_warmup_mib": round(samples[0], 1),
            "rss_end_mib": round(samples[-1], 1),
            "rss_growth_pct": round((samples[-1] - samples[0]) / samples[0] * 100, 1),
            "rss_growth_median_pct": growth_pct(samples),
            "rss_samples_mib": [round(s, 1) for s in samples],
            # Least-squares slope after the first round of soak requests (which grows the
            # allocator's arenas once): what a leak would show, per hour.
            "rss_slope_mib_per_hour": round(slope(sample_times[1:], samples[1:]) * 3600, 2),
            "page_ms_p50": round(statistics.median(page_times), 1),
            "page_ms_max": round(max(page_times), 1),
            "page_kb": round(page_sizes[-1][0] / 1024, 1),
            "page_kb_on_wire_gzip": round(page_sizes[-1][1] / 1024, 1),
            "status_ms_p50": round(statistics.median(status_times), 2),
            "status_ms_p99": round(percentile(status_times, 0.99), 2),
            "lag_ms_p50": round(metric(metrics, 'healthrun_serve_scheduler_lag_seconds{quantile="0.5"}') * 1000, 1),
            "lag_ms_p99": round(metric(metrics, 'healthrun_serve_scheduler_lag_seconds{quantile="0.99"}') * 1000, 1),
            "runs": int(metric(metrics, "healthrun_serve_scheduler_lag_seconds_count")),
            "skipped_runs": int(metric(metrics, "healthrun_serve_skipped_runs_total")),
            "stored_results": int(metric(metrics, "healthrun_serve_stored_results_total")),
        })
        stop = time.monotonic()
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=30)
        result["sigterm_exit"] = code
        result["sigterm_s"] = round(time.monotonic() - stop, 2)
        integrity = subprocess.run(["sqlite3", str(work / "h.sqlite"), "PRAGMA integrity_check"],
                                   capture_output=True, text=True).stdout.strip()
        result["integrity"] = integrity
        result["tls_page"] = tls_page(args.healthrun, work, checks)
        result["store"] = store_benchmark(args.healthrun, work, args.store_hours, 1000)
        result["store_with_metrics"] = store_benchmark(args.healthrun, work, args.store_hours, 1000, args.metrics)
        if args.metrics_soak:
            result["serve_with_metrics"] = metrics_soak(
                args.healthrun, work, args.checks, args.interval, args.warmup, args.metrics_soak, args.metrics)
    finally:
        if server.poll() is None:
            server.kill()
        targets.stop()

    # What must hold: the soak's pass/fail (the targets are reported beside it).
    if result.get("sigterm_exit") != 0 or result.get("sigterm_s", 99) > 5:
        problems.append(f"SIGTERM: exit {result.get('sigterm_exit')} after {result.get('sigterm_s')} s")
    if result.get("integrity") != "ok":
        problems.append(f"integrity_check: {result.get('integrity')}")
    if result.get("rss_growth_median_pct", 99) >= args.max_growth:
        problems.append(f"RSS grew {result.get('rss_growth_median_pct')} % over the soak (medians of 3 samples)")
    if result.get("lag_ms_p99", 999) >= 100:
        problems.append(f"scheduler lag p99 {result.get('lag_ms_p99')} ms")
    if "serve_with_metrics" in result and result["serve_with_metrics"]["integrity"] != "ok":
        problems.append(f"integrity_check after the metrics run: {result['serve_with_metrics']['integrity']}")
    # The storage budget with metrics (issue 15): sizes are the same on any machine, so the day-90
    # projection is held as it is; the rate is held against the same run's rate without metrics
    # (the per-series upserts this layout replaced stored a quarter of it).
    with_metrics = result.get("store_with_metrics") or {}
    if with_metrics.get("projected_at_day_90_mb", 0) >= 1000:
        problems.append(f"{with_metrics['projected_at_day_90_mb']} MB projected on day 90 with metrics (budget 1 GB)")
    if with_metrics and with_metrics["rate"] < 0.5 * result["store"]["rate"]:
        problems.append(f"store rate with metrics {with_metrics['rate']}/s, under half of {result['store']['rate']}/s"
                        " without")
    if result.get("skipped_runs", 1) != 0:
        problems.append(f"{result.get('skipped_runs')} runs skipped")
    result["problems"] = problems
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "serve.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if problems:
        print("serve bench: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
