#!/usr/bin/env python3
"""healthrun beside curl, pg_isready, the Nagios check_http, blackbox_exporter and a
hand-written asyncio script, on the same work, in one run.

Sets up its own targets on loopback (nginx with the echo module, a throwaway PostgreSQL, a
blackbox_exporter), then runs every workload for every tool, rounds interleaved (the order of
the tools rotates each round), and reports the median wall time with its spread (min–max),
CPU time (user+sys of the whole process tree) and memory (max RSS of its largest process),
both from GNU time's wait4. A result counts only when the
tool's own output says the expected number of checks passed (or timed out, in W3).

    bench/bench.py --healthrun .build/release/healthrun [--rounds 5] [--only W2] [--out DIR]

bench/run.sh installs what this needs and builds healthrun first.
"""

import argparse
import json
import os
import pathlib
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = pathlib.Path(__file__).resolve().parent
PEER = [sys.executable, str(HERE / "peers" / "asyncio_checks.py")]
API_KEY = "sk-made-up-bench-key-0000000000000000"
BOT_TOKEN = "123456789:AAmadeUpBenchTokenmadeUpBench000000"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Measurement:
    def __init__(self, wall, cpu, memory_mib, stdout, stderr, code):
        self.wall, self.cpu, self.memory_mib = wall, cpu, memory_mib
        self.stdout, self.stderr, self.code = stdout, stderr, code


def measure(argv, extra_cpu=None):
    """Runs argv to exit under GNU time, which forks it from a small process of its own: the
    max RSS it reports is the tool's, not that of this Python process the tool was forked from
    (which wait4 here would report). Wall from spawn to exit; CPU of the whole process tree
    (wait4 counts waited-for descendants); memory is the largest process's max RSS."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    usage_file = tempfile.NamedTemporaryFile(prefix="usage-", delete=False)
    usage_file.close()
    extra_before = extra_cpu() if extra_cpu else 0.0
    start = time.perf_counter()
    process = subprocess.Popen(["/usr/bin/time", "-o", usage_file.name, "-f", "%M", "--"] + argv,
                               stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # GNU time prints CPU in hundredths; wait4 on it counts the tool it reaped, in microseconds.
    max_rss_kib = int(pathlib.Path(usage_file.name).read_text().split()[-1])
    os.unlink(usage_file.name)
    cpu = usage.ru_utime + usage.ru_stime
    if extra_cpu:
        cpu += extra_cpu() - extra_before
    out.seek(0)
    err.seek(0)
    return Measurement(wall, cpu, max_rss_kib / 1024, out.read().decode(errors="replace"),
                       err.read().decode(errors="replace"), process.returncode)


def process_cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Targets


NGINX_CONF = """
worker_processes 1;
worker_rlimit_nofile 65536;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
load_module /usr/share/nginx/modules/ngx_http_echo_module.so;
events {{ worker_connections 32768; multi_accept on; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=65535 reuseport;
        default_type application/json;
        location = /health {{ return 200 '{{"status":"ok"}}'; }}
        location /delay/ {{ echo_sleep 0.05; echo '{{"status":"ok"}}'; }}
        location /hang/ {{ echo_sleep 3600; echo 'late'; }}
        location = /v1/models {{
            return 200 '{{"object":"list","data":[{{"id":"sonnet","object":"model","name":"Claude Sonnet 4.5","owned_by":"anthropic"}},{{"id":"opus","object":"model","name":"Claude Opus 4","owned_by":"anthropic"}}]}}';
        }}
        location ~ ^/bot[^/]+/getMe$ {{
            return 200 '{{"ok":true,"result":{{"id":123456789,"is_bot":true,"first_name":"bench","username":"bench_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}}}';
        }}
    }}
}}
"""


class Targets:
    def __init__(self, work):
        self.work = work
        self.processes = []

    def start(self):
        self.start_nginx()
        self.start_postgres()
        self.start_blackbox()

    def start_nginx(self):
        self.port = free_port()
        directory = self.work / "nginx"
        directory.mkdir()
        (directory / "nginx.conf").write_text(NGINX_CONF.format(dir=directory, port=self.port))
        subprocess.run(["nginx", "-c", str(directory / "nginx.conf"), "-e", str(directory / "nginx-error.log")],
                       check=True)
        self.nginx_pid_file = directory / "nginx.pid"
        wait_for_port(self.port)
        self.base = f"http://127.0.0.1:{self.port}"

    def start_postgres(self):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        self.pg_bindir = bindir
        if not pathlib.Path(bindir, "initdb").exists():
            bindir = "/usr/lib/postgresql/15/bin"
            self.pg_bindir = bindir
        self.pg_port = free_port()
        data = self.work / "pgdata"
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if run_as:
            shutil.chown(self.work, "postgres")
        subprocess.run(run_as + [f"{bindir}/initdb", "-D", str(data), "-U", "bench", "-A", "trust", "--no-sync"],
                       check=True, capture_output=True)
        subprocess.run(
            run_as + [f"{bindir}/pg_ctl", "-D", str(data), "-l", str(self.work / "postgres.log"), "-w", "-o",
                      f"-p {self.pg_port} -k {self.work} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                      "-c fsync=off -c shared_buffers=32MB", "start"],
            check=True, capture_output=True)
        self.pg_stop = run_as + [f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"]
        self.dsn = f"postgresql://bench@127.0.0.1:{self.pg_port}/postgres"

    def start_blackbox(self):
        self.blackbox_port = free_port()
        config = self.work / "blackbox.yml"
        config.write_text(textwrap.dedent("""
            modules:
              http_2xx: {prober: http, timeout: 10s, http: {preferred_ip_protocol: ip4}}
              http_1s: {prober: http, timeout: 1s, http: {preferred_ip_protocol: ip4}}
        """))
        process = subprocess.Popen(
            ["prometheus-blackbox-exporter", f"--config.file={config}",
             f"--web.listen-address=127.0.0.1:{self.blackbox_port}", "--log.level=error"],
            stdout=subprocess.DEVNULL, stderr=open(self.work / "blackbox.log", "w"))
        self.processes.append(process)
        self.blackbox_pid = process.pid
        wait_for_port(self.blackbox_port)

    def stop(self):
        for process in self.processes:
            process.terminate()
            process.wait()
        if hasattr(self, "nginx_pid_file") and self.nginx_pid_file.exists():
            os.kill(int(self.nginx_pid_file.read_text()), signal.SIGTERM)
        if hasattr(self, "pg_stop"):
            subprocess.run(self.pg_stop, capture_output=True)


# ---------------------------------------------------------------------------------------------
# Workloads: each is a list of tools, each a (name, argv, validate) with the setup done here.


class Tool:
    def __init__(self, name, argv, validate, expected, extra_cpu=None, note=""):
        self.name, self.argv, self.validate, self.expected = name, argv, validate, expected
        self.extra_cpu, self.note = extra_cpu, note


def healthrun_checks(directory, checks):
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["checks:"]
    for check in checks:
        lines.append("  - " + json.dumps(check))
    (directory / "checks.yaml").write_text("\n".join(lines) + "\n")


def healthrun_validator(report_path, ok=0, fail=0):
    def validate(result):
        try:
            summary = json.loads(pathlib.Path(report_path).read_text())["summary"]
        except (OSError, ValueError, KeyError):
            return False
        finally:
            pathlib.Path(report_path).unlink(missing_ok=True)
        return summary["ok"] == ok and summary["fail"] == fail
    return validate


def count_validator(pattern, count):
    return lambda result: result.stdout.count(pattern) == count


def files_validator(directory, pattern, count):
    def validate(result):
        found = 0
        for path in pathlib.Path(directory).iterdir():
            if pattern in path.read_text(errors="replace"):
                found += 1
            path.unlink()
        return found == count
    return validate


class Bench:
    def __init__(self, healthrun, work, targets):
        self.healthrun, self.work, self.t = healthrun, work, targets

    def healthrun_tool(self, label, checks, concurrency, ok=0, fail=0, timeout="10s"):
        directory = self.work / label.replace(" ", "_")
        healthrun_checks(directory / "checks.d", checks)
        report = directory / "report.json"
        argv = [self.healthrun, "-d", str(directory / "checks.d"), "-c", str(concurrency), "--timeout", timeout,
                "-q", "-r", f"json:{report}", "--plugins-dir", str(directory / "no-plugins")]
        return Tool("healthrun", argv, healthrun_validator(report, ok=ok, fail=fail),
                    f"report says {ok} ok" + (f", {fail} fail" if fail else ""))

    def curl_parallel(self, label, urls, concurrency, max_time, expect_code):
        directory = self.work / label.replace(" ", "_")
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "curl.conf"
        config.write_text("".join(f'url = "{url}"\noutput = "/dev/null"\n' for url in urls))
        argv = ["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(concurrency), "-s",
                "--max-time", str(max_time), "-w", "%{http_code}\\n", "-K", str(config)]
        note = "curl caps --parallel-max at 300" if concurrency > 300 else ""
        return Tool("curl --parallel", argv, count_validator(expect_code + "\n", len(urls)),
                    f"{len(urls)} × HTTP {expect_code}", note=note)

    def asyncio_http(self, label, urls, concurrency, timeout):
        directory = self.work / label.replace(" ", "_")
        directory.mkdir(parents=True, exist_ok=True)
        listing = directory / "urls.txt"
        listing.write_text("\n".join(urls) + "\n")
        ok = len(urls) if timeout > 2 else 0
        return Tool("asyncio + aiohttp", PEER + ["http", str(listing), str(concurrency), str(timeout)],
                    count_validator(f"ok={ok} fail={len(urls) - ok}", 1), f"ok={ok} fail={len(urls) - ok}")

    def blackbox(self, label, urls, concurrency, module, success):
        directory = self.work / label.replace(" ", "_")
        outputs = directory / "probes"
        outputs.mkdir(parents=True, exist_ok=True)
        config = directory / "probe.conf"
        probe = f"http://127.0.0.1:{self.t.blackbox_port}/probe?module={module}&target="
        config.write_text("".join(f'url = "{probe}{url}"\noutput = "{outputs}/{index}"\n'
                                  for index, url in enumerate(urls)))
        argv = ["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(min(concurrency, 300)), "-s",
                "-K", str(config)]
        pid = self.t.blackbox_pid
        return Tool("blackbox_exporter (curl-driven)", argv,
                    files_validator(outputs, f"probe_success {success}", len(urls)),
                    f"{len(urls)} × probe_success {success}", extra_cpu=lambda: process_cpu_seconds(pid),
                    note="CPU includes the exporter's; memory is curl's only")

    def workloads(self):
        base = self.t.base
        w = {}
        # W1: one GET, process start to exit.
        url = f"{base}/health"
        w["W1 one GET /health"] = dict(ideal=None, tools=[
            self.healthrun_tool("w1", [{"name": "health", "type": "http", "url": url}], 1, ok=1),
            Tool("curl", ["curl", "-fsS", "-o", "/dev/null", "-w", "%{http_code}\\n", url],
                 count_validator("200\n", 1), "HTTP 200"),
            Tool("check_http (Nagios)", ["/usr/lib/nagios/plugins/check_http", "-I", "127.0.0.1", "-p",
                                         str(self.t.port), "-u", "/health"], count_validator("HTTP OK", 1), "HTTP OK"),
            self.asyncio_http("w1", [url], 1, 10),
        ])
        # W2: checks of an endpoint answering after 50 ms.
        for count, concurrency in ((1000, 100), (1000, 1000), (10000, 500)):
            label = f"W2 {count:,} @ C={concurrency:,}"
            urls = [f"{base}/delay/{index}" for index in range(count)]
            ideal = -(-count // concurrency) * 0.05
            checks = [{"name": f"c{index}", "type": "http", "url": urls[index]} for index in range(count)]
            tools = [
                self.healthrun_tool(f"w2-{count}-{concurrency}", checks, concurrency, ok=count),
                self.curl_parallel(f"w2-{count}-{concurrency}", urls, concurrency, 30, "200"),
                self.asyncio_http(f"w2-{count}-{concurrency}", urls, concurrency, 30),
            ]
            if count <= 1000:
                tools.append(self.blackbox(f"w2-{count}-{concurrency}", urls, concurrency, "http_2xx", 1))
            w[label] = dict(ideal=ideal, tools=tools, checks=count)
        # W3: 100 endpoints that never answer, timeout 1 s, concurrency 100.
        urls = [f"{base}/hang/{index}" for index in range(100)]
        checks = [{"name": f"h{index}", "type": "http", "url": urls[index], "timeout": "1s"} for index in range(100)]
        w["W3 100 hung, timeout 1 s"] = dict(ideal=1.0, checks=100, tools=[
            self.healthrun_tool("w3", checks, 100, fail=100),
            self.curl_parallel("w3", urls, 100, 1, "000"),
            self.asyncio_http("w3", urls, 100, 1),
            self.blackbox("w3", urls, 100, "http_1s", 0),
        ])
        # W4: Postgres.
        pg_isready = [f"{self.t.pg_bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(self.t.pg_port), "-U", "bench",
                      "-d", "postgres"]
        w["W4 one Postgres ping"] = dict(ideal=None, tools=[
            self.healthrun_tool("w4", [{"name": "db", "type": "postgres", "dsn": self.t.dsn}], 1, ok=1),
            Tool("pg_isready", pg_isready, count_validator("accepting connections", 1), "accepting connections"),
            Tool("asyncio + asyncpg", PEER + ["pg", self.t.dsn, "1"], count_validator("ok=1 fail=0", 1), "ok=1"),
        ])
        fifty = " ".join(["x"] * 50)
        w["W4 50 Postgres pings in parallel"] = dict(ideal=None, tools=[
            self.healthrun_tool("w4-50", [{"name": f"db{index}", "type": "postgres", "dsn": self.t.dsn}
                                          for index in range(50)], 50, ok=50),
            Tool("50 × pg_isready (xargs -P 50)",
                 ["sh", "-c", f"printf '%s\\n' {fifty} | xargs -P 50 -I{{}} " + " ".join(pg_isready)],
                 count_validator("accepting connections", 50), "50 × accepting connections"),
            Tool("asyncio + asyncpg", PEER + ["pg", self.t.dsn, "50"], count_validator("ok=50 fail=0", 1), "ok=50"),
        ])
        # W5: the mission's checks.d: http, models, telegram, postgres.
        mission = [
            {"name": "proxy-health", "type": "http", "url": f"{base}/health", "expect": {"json": {"$.status": "ok"}}},
            {"name": "proxy-models", "type": "models", "url": f"{base}/v1/models", "api_key": API_KEY,
             "expect": {"models": ["sonnet", "opus"]}},
            {"name": "telegram-bot", "type": "telegram", "token": BOT_TOKEN, "api_url": base},
            {"name": "postgres", "type": "postgres", "dsn": self.t.dsn},
        ]
        shell = (f"(curl -fsS {base}/health | grep -q '\"ok\"' && echo pass) & "
                 f"(curl -fsS -H 'Authorization: Bearer {API_KEY}' {base}/v1/models | grep -q sonnet && echo pass) & "
                 f"(curl -fsS {base}/bot{BOT_TOKEN}/getMe | grep -q '\"ok\":true' && echo pass) & "
                 f"({' '.join(pg_isready)} >/dev/null && echo pass) & wait")
        w["W5 mission checks.d (4 checks)"] = dict(ideal=None, tools=[
            self.healthrun_tool("w5", mission, 4, ok=4),
            Tool("shell: curl ×3 + pg_isready", ["sh", "-c", shell], count_validator("pass", 4), "4 × pass"),
            Tool("asyncio + aiohttp/asyncpg", PEER + ["mission", base, API_KEY, BOT_TOKEN, self.t.dsn],
                 count_validator("ok=4 fail=0", 1), "ok=4"),
        ])
        return w


def summarize(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def run(args):
    work = pathlib.Path(tempfile.mkdtemp(prefix="healthrun-bench-"))
    os.chmod(work, 0o755)
    targets = Targets(work)
    results = {}
    try:
        targets.start()
        bench = Bench(args.healthrun, work, targets)
        workloads = bench.workloads()
        for label, workload in workloads.items():
            if args.only and not any(label.startswith(prefix) for prefix in args.only):
                continue
            tools = workload["tools"]
            rounds = args.rounds * (3 if workload["ideal"] is None else 1)
            samples = {tool.name: [] for tool in tools}
            invalid = {tool.name: 0 for tool in tools}
            print(f"\n{label}: {rounds} rounds", flush=True)
            for tool in tools:  # one unmeasured run each, for warm caches; drop what it left
                measure(tool.argv)
                _cleanup(tool)
            for round_index in range(rounds):
                order = tools[round_index % len(tools):] + tools[:round_index % len(tools)]
                for tool in order:
                    result = measure(tool.argv, extra_cpu=tool.extra_cpu)
                    if tool.validate(result):
                        samples[tool.name].append(result)
                    else:
                        invalid[tool.name] += 1
                        if invalid[tool.name] == 1:
                            print(f"  {tool.name}: INVALID run (expected {tool.expected}); exit {result.code}; "
                                  f"stdout {result.stdout[-300:]!r} stderr {result.stderr[-300:]!r}", flush=True)
                    time.sleep(0.05)
            rows = []
            for tool in tools:
                runs = samples[tool.name]
                row = {"tool": tool.name, "valid": len(runs), "invalid": invalid[tool.name], "expected": tool.expected,
                       "note": tool.note}
                if runs:
                    row["wall_s"] = summarize([r.wall for r in runs])
                    row["cpu_s"] = summarize([r.cpu for r in runs])
                    row["memory_mib"] = summarize([r.memory_mib for r in runs])
                rows.append(row)
                if runs:
                    print(f"  {tool.name:34} wall {row['wall_s']['median'] * 1000:9.1f} ms "
                          f"({row['wall_s']['min'] * 1000:.1f}–{row['wall_s']['max'] * 1000:.1f})  "
                          f"cpu {row['cpu_s']['median'] * 1000:8.1f} ms  mem {row['memory_mib']['median']:6.1f} MiB"
                          f"  valid {len(runs)}/{rounds}", flush=True)
                else:
                    print(f"  {tool.name:34} no valid run", flush=True)
            results[label] = {"ideal_s": workload["ideal"], "rounds": rounds, "rows": rows,
                              "checks": workload.get("checks")}
            if workload["ideal"] is None and shutil.which("hyperfine") and not label.startswith("W4 50"):
                results[label]["hyperfine"] = hyperfine(tools, work)
    finally:
        targets.stop()
        shutil.rmtree(work, ignore_errors=True)
    return results


def hyperfine(tools, work):
    """Process start to exit, timed again by hyperfine (which fails on any non-zero exit)."""
    export = work / "hyperfine.json"
    commands = [" ".join(_quote(part) for part in tool.argv) for tool in tools]
    completed = subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", "40", "--export-json", str(export)]
                               + commands, capture_output=True, text=True)
    if completed.returncode != 0:
        print(f"  hyperfine failed: {completed.stderr[-400:]}", flush=True)
        return None
    rows = []
    for tool, result in zip(tools, json.loads(export.read_text())["results"]):
        _cleanup(tool)
        rows.append({"tool": tool.name, "mean_s": result["mean"], "stddev_s": result["stddev"]})
        print(f"  hyperfine {tool.name:24} {result['mean'] * 1000:7.1f} ms ± {result['stddev'] * 1000:.1f}", flush=True)
    return rows


def _quote(part):
    return "'" + part.replace("'", "'\\''") + "'" if any(c in part for c in " '\"$&|;<>()*?") else part


def _cleanup(tool):
    """Drops what the warm-up run left for the validator (reports, probe outputs)."""
    tool.validate(Measurement(0, 0, 0, "", "", 0))


def machine():
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = {}
    for name, argv in {
        "curl": ["curl", "--version"], "nginx": ["nginx", "-v"],
        "blackbox_exporter": ["prometheus-blackbox-exporter", "--version"],
        "python": [sys.executable, "--version"],
    }.items():
        try:
            completed = subprocess.run(argv, capture_output=True, text=True)
            versions[name] = (completed.stdout + completed.stderr).splitlines()[0].strip()
        except OSError:
            versions[name] = "not found"
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "versions": versions}


def markdown(results, info):
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, Linux {info['kernel']}. "
        f"Peers: {info['versions']['curl'].split(' (')[0]}, {info['versions']['nginx']}, "
        f"{info['versions']['blackbox_exporter'].split(' (')[0]}, {info['versions']['python']}. "
        "Memory: max RSS of the largest process of the tool's process tree (GNU time).",
        "",
        "| workload | ideal | tool | wall, median (min–max) | CPU, median (min–max) | CPU per 1,000 checks "
        "| peak memory | valid runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, result in results.items():
        ideal = f"{result['ideal_s'] * 1000:.0f} ms" if result["ideal_s"] else ""
        for row in result["rows"]:
            tool = row["tool"] + (f" ({row['note']})" if row["note"] else "")
            if "wall_s" not in row:
                lines.append(f"| {label} | {ideal} | {tool} | no valid run | | | | 0/{result['rounds']} |")
                continue
            wall, cpu = row["wall_s"], row["cpu_s"]
            checks = result.get("checks")
            per_thousand = f"{cpu['median'] * 1000 * 1000 / checks:.0f} ms" if checks and checks >= 1000 else ""
            lines.append(
                f"| {label} | {ideal} | {tool} | **{wall['median'] * 1000:.1f} ms** "
                f"({wall['min'] * 1000:.1f}–{wall['max'] * 1000:.1f}) | {cpu['median'] * 1000:.0f} ms "
                f"({cpu['min'] * 1000:.0f}–{cpu['max'] * 1000:.0f}) | {per_thousand} | "
                f"{row['memory_mib']['median']:.1f} MiB | {row['valid']}/{result['rounds']} |")
            label, ideal = "", ""
    timed = [(label, result["hyperfine"]) for label, result in results.items() if result.get("hyperfine")]
    if timed:
        lines += ["", "Process start to exit, cross-checked with hyperfine (`-N`, 5 warm-up runs, 40 runs, "
                  "every exit status checked):", "", "| workload | tool | mean ± σ |", "|---|---|---|"]
        for label, rows in timed:
            for row in rows:
                lines.append(f"| {label} | {row['tool']} | {row['mean_s'] * 1000:.1f} ms ± {row['stddev_s'] * 1000:.1f} |")
                label = ""
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--healthrun", required=True, help="the healthrun binary (a release build)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per workload (x3 for the one-shot ones)")
    parser.add_argument("--only", action="append", help="workload label prefix, e.g. W2 (repeatable)")
    parser.add_argument("--out", default=str(HERE / "results"), help="where results.json and results.md go")
    parser.add_argument("--max-cpu-ratio", type=float,
                        help="exit 1 when healthrun's median CPU in a W2 workload of this run is more than this many "
                             "times curl --parallel's in the same workload, and again when that workload is measured "
                             "once more (CI's regression guard)")
    args = parser.parse_args()
    args.healthrun = str(pathlib.Path(args.healthrun).resolve())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    info = machine()
    results = run(args)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    table = markdown(results, info)
    (out / "results.md").write_text(table)
    print("\n" + table)
    if args.max_cpu_ratio:
        over = cpu_guard(results, args.max_cpu_ratio)
        if over and over != [None]:
            # A machine that was busy for a moment raises healthrun's CPU (two event loops) more
            # than curl's (one thread): a workload over the limit is measured once more, and the
            # guard fails when it is over again. A regression is over both times.
            print(f"CPU guard: measuring {', '.join(over)} again before failing", flush=True)
            again = run(argparse.Namespace(**{**vars(args), "only": over}))
            over = cpu_guard(again, args.max_cpu_ratio)
        sys.exit(1 if over else 0)


def cpu_guard(results, limit):
    """The W2 workloads in which healthrun's median CPU is over `limit` × curl --parallel's of
    the same workload and run ([None] when no W2 workload ran)."""
    checked, over = 0, []
    for label, result in results.items():
        if not label.startswith("W2"):
            continue
        cpu = {row["tool"]: row["cpu_s"]["median"] for row in result["rows"] if "cpu_s" in row}
        if "healthrun" not in cpu or "curl --parallel" not in cpu:
            print(f"CPU guard: {label}: healthrun or curl --parallel has no valid run", flush=True)
            over.append(label)
            continue
        ratio = cpu["healthrun"] / cpu["curl --parallel"]
        checked += 1
        verdict = "ok" if ratio <= limit else f"over the limit of {limit:g} ×"
        print(f"CPU guard: {label}: healthrun {cpu['healthrun'] * 1000:.0f} ms, curl --parallel "
              f"{cpu['curl --parallel'] * 1000:.0f} ms: {ratio:.2f} × — {verdict}", flush=True)
        if ratio > limit:
            over.append(label)
    if checked == 0 and not over:
        print("CPU guard: no W2 workload was run", flush=True)
        return [None]
    return over


if __name__ == "__main__":
    main()
