"""Requests/s and latency percentiles of the served pages: wrk against gunicorn on loopback.

``make bench-http`` runs this with the production settings of ``make serve``. For each mode (the
page cache on, then off) it starts gunicorn exactly as ``make serve`` does (without the e-mail
worker) on a free loopback port, waits for ``/readyz``, and for each page runs wrk twice: flat out
(the peak), then paced at 70% of that page's peak rate, where the p95 is what a visitor would see
on a busy but not saturated server. Throughput is also given as a share of ``/healthz`` in the same
server run, which takes the machine's speed (and its other load) largely out of the comparison,
beside the share each page is expected to reach (information only: nothing fails on it).

The search page and the API search cycle through the realistic queries of
``benchmarks/search_queries.txt``, a different one for each request, as a busy catalogue sees.

``python -m benchmarks.http [--duration 10] [--warmup 2] [--threads 2] [--connections 8]
[--modes cached,uncached] [--identity]`` (``make bench-http`` also installs wrk if missing).
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

from benchmarks.support import BenchmarkError, format_table, free_port, run

# Requests/s as a share of /healthz's in the same run, per mode (information, never failing).
TARGET_RATIOS = {
    "cached": {"list": 0.25, "detail": 0.4},
    "uncached": {
        "detail": 0.15,
        "list": 0.10,
        "filtered list": 0.10,
        "search": 0.10,
        "API search": 0.08,
    },
}
TARGET_P95_MS = 300
LOAD_SHARE = 0.7
SEARCH_QUERIES_FILE = Path(__file__).with_name("search_queries.txt")
# The scenarios: one path, or a path ending in q= given each query of SEARCH_QUERIES_FILE in
# turn (a different query per request).
PAGES = [
    ("healthz", "/healthz"),
    ("list", "/"),
    ("search", "/?q="),
    ("filtered list", "/?group=1.1&organization=UNODC"),
    ("detail", "/initiatives/1101/"),
    ("API list", "/api/initiatives/"),
    ("API search", "/api/initiatives/?q="),
    ("static file", None),  # the hashed site.css, from the collectstatic manifest
]
SAFE_PATH = re.compile(r"[A-Za-z0-9/?=&%+._~-]+")  # quoted in Lua as it is
# Percentiles from wrk's own histogram (its plain output has no p95). With a rate, each thread
# paces its requests on a monotonic clock (LuaJIT's FFI), so the load is spread evenly.
WRK_SCRIPT = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval, next_slot = 0, 0

function init(args)
  local rate = tonumber(args[1] or "0")
  if rate > 0 then interval = 1000 / rate end
end

function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_slot < now then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return wait
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
# Added for a scenario with several paths: each request takes the next path, the threads
# starting evenly spread over the list (setup() runs for each thread before it starts).
WRK_CYCLE = r"""
local threads_set_up = 0
function setup(thread)
  thread:set("first_path", math.floor(threads_set_up * #paths / threads))
  threads_set_up = threads_set_up + 1
end

local index = nil
function request()
  if index == nil then index = (first_path or 0) % #paths end
  index = index % #paths + 1
  return wrk.format(nil, paths[index])
end
"""


def search_queries() -> list[str]:
    """The queries of SEARCH_QUERIES_FILE, in order."""
    lines = SEARCH_QUERIES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def scenario_paths(path: str, queries: list[str]) -> list[str]:
    """``path`` alone, or once per query when it ends with ``q=``."""
    if not path.endswith("q="):
        return [path]
    return [path.removesuffix("q=") + urlencode({"q": query}) for query in queries]


def lua_script(paths: list[str], threads: int) -> str:
    """The wrk script for one scenario: cycling through ``paths`` when there are several."""
    if len(paths) == 1:
        return WRK_SCRIPT  # wrk sends its prepared request, the fastest way
    for path in paths:
        if not SAFE_PATH.fullmatch(path):
            raise BenchmarkError(f"{path!r} would need escaping in the wrk script")
    table = ",\n  ".join(f'"{path}"' for path in paths)
    return WRK_SCRIPT + f"\nthreads = {threads}\npaths = {{\n  {table}\n}}\n" + WRK_CYCLE


@dataclass
class Run:
    rate: float
    p50: float
    p95: float
    p99: float
    failures: int


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.http",
        description="Load the served pages with wrk (page cache on, then off) and print req/s "
        "and p50/p95/p99.",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--modes",
        default="cached,uncached",
        help="cached (PAGE_CACHE_SECONDS as configured, 3600 in production) and/or uncached",
    )
    parser.add_argument(
        "--identity", action="store_true", help="ask for uncompressed bodies (no gzip)"
    )
    options = parser.parse_args(argv)
    options.modes = [mode.strip() for mode in options.modes.split(",") if mode.strip()]
    if not options.modes or set(options.modes) - {"cached", "uncached"}:
        parser.error("--modes takes cached and/or uncached.")
    return options


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    if not shutil.which("wrk"):
        raise BenchmarkError("wrk is not installed (make bench-http installs it with apt-get).")
    HttpBench(options).run_modes()


class HttpBench:
    def __init__(self, options: argparse.Namespace):
        self.options = options

    def run_modes(self) -> None:
        options = self.options
        queries = search_queries()
        pages = [
            (name, scenario_paths(path or static_url("css/site.css"), queries))
            for name, path in PAGES
        ]
        print(
            f"wrk -t{options.threads} -c{options.connections}, {options.duration} s per "
            f"run; gunicorn workers: {os.environ.get('WEB_CONCURRENCY', 'gunicorn.conf.py')}; "
            f"cache: {settings.CACHES[settings.PAGE_CACHE_ALIAS]['BACKEND'].rsplit('.', 1)[-1]}; "
            f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
            f"search and API search cycle through {len(queries)} queries "
            f"({SEARCH_QUERIES_FILE.name})"
        )
        for mode in options.modes:
            seconds = "0" if mode == "uncached" else str(settings.PAGE_CACHE_SECONDS or 3600)
            with serving({"PAGE_CACHE_SECONDS": seconds}, mode) as base:
                results = [(name, paths, *self.measure(base, paths)) for name, paths in pages]
            self.report(mode, seconds, results)

    def measure(self, base: str, paths: list[str]) -> tuple[Run, Run]:
        for path in paths:
            with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310
                if response.status != 200:
                    raise BenchmarkError(f"{path} answered {response.status}")
        # The first path is what wrk connects to; a script with several sends them in turn.
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(lua_script(paths, self.options.threads))
            script.flush()
            url = base + paths[0]
            if self.options.warmup > 0:
                self.wrk(url, script.name, self.options.warmup)
            peak = self.wrk(url, script.name, self.options.duration)
            paced = self.wrk(url, script.name, self.options.duration, rate=peak.rate * LOAD_SHARE)
        print(
            f"  {shown_url(paths)}: {peak.rate:.0f} req/s, p95 {paced.p95:.1f} ms at 70%",
            file=sys.stderr,
        )
        return peak, paced

    def wrk(self, url: str, script: str, seconds: int, rate: float = 0) -> Run:
        threads = self.options.threads
        command = ["wrk", f"-t{threads}", f"-c{self.options.connections}", f"-d{seconds}s"]
        command += ["--timeout", "10s", "-s", script]
        if not self.options.identity:
            command += ["-H", "Accept-Encoding: gzip, deflate, br"]  # as browsers ask
        command += [url, "--", f"{rate / threads:.3f}"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH ")), None)
        if line is None:
            raise BenchmarkError(f"wrk failed: {result.stdout}{result.stderr}")
        data = json.loads(line.removeprefix("BENCH "))
        return Run(
            rate=data["requests"] / (data["duration_us"] / 1e6),
            p50=data["p50"] / 1000,
            p95=data["p95"] / 1000,
            p99=data["p99"] / 1000,
            failures=data["errors"] + data["non_2xx"],
        )

    def report(self, mode: str, seconds: str, results) -> None:
        healthz = next(peak.rate for name, _, peak, _ in results if name == "healthz")
        targets = TARGET_RATIOS.get(mode, {})
        header = ["page", "URL", "req/s", "p50 ms", "p95 ms", "p99 ms", "× healthz", "target"]
        header += ["p95@70% ms", "req/s@70%", "failed", "checks"]
        rows = []
        for name, paths, peak, paced in results:
            ratio = peak.rate / healthz
            rows.append(
                [
                    name,
                    shown_url(paths),
                    f"{peak.rate:.0f}",
                    f"{peak.p50:.1f}",
                    f"{peak.p95:.1f}",
                    f"{peak.p99:.1f}",
                    f"{ratio:.2f}",
                    target_cell(ratio, targets.get(name)),
                    f"{paced.p95:.1f}",
                    f"{paced.rate:.0f}",
                    str(peak.failures + paced.failures),
                    verdict(peak, paced),
                ]
            )
        print(
            f"\nPage cache {'off' if mode == 'uncached' else 'on'} (PAGE_CACHE_SECONDS={seconds})"
        )
        # Text columns (page, URL, target, checks) to the left, figures to the right.
        for line in format_table(rows, header, right={2, 3, 4, 5, 6, 8, 9, 10}):
            print(line)


def shown_url(paths: list[str]) -> str:
    """The path, or the scenario's first path and how many it cycles through."""
    if len(paths) > 1:
        return f"{paths[0].split('q=')[0]}q=… ({len(paths)} queries)"
    return paths[0] if len(paths[0]) <= 34 else paths[0][:31] + "..."


def target_cell(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"≥{target:.2f} {'ok' if ratio >= target else 'MISSED'}"


def verdict(peak: Run, paced: Run) -> str:
    checks = [(f"p95<{TARGET_P95_MS}", paced.p95 < TARGET_P95_MS)]
    # Paced below 90% of the rate asked for, the server could not keep up: the p95 is suspect.
    if paced.rate < 0.9 * LOAD_SHARE * peak.rate:
        checks.append(("70% rate reached", False))
    if peak.failures + paced.failures:
        checks.append(("no errors", False))
    return " ".join(f"{label} {'ok' if passed else 'MISSED'}" for label, passed in checks)


def static_url(name: str) -> str:
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        raise BenchmarkError("No static files manifest: run collectstatic (make bench-http does).")
    hashed = json.loads(manifest.read_text())["paths"][name]
    return "/" + settings.STATIC_URL.strip("/") + "/" + hashed


class serving:
    """gunicorn as `make serve` starts it, on a free loopback port; stopped however we leave."""

    def __init__(self, env: dict, mode: str):
        self.port = free_port()
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.log = Path(settings.BASE_DIR) / ".data" / f"bench-http-{mode}.log"

    def __enter__(self) -> str:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "catalogue.wsgi", "-c", "catalogue/gunicorn.conf.py"]
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=log
            )
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return base
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise BenchmarkError(f"gunicorn was not ready within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


if __name__ == "__main__":
    sys.exit(run(main))
