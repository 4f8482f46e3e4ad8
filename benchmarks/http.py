"""Requests/s and latency percentiles of the served pages: wrk against gunicorn on loopback.

``make bench-http`` runs this with the production settings of ``make serve``. For each mode (the
page cache on, then off) it starts gunicorn exactly as ``make serve`` does (without the e-mail
worker) on a free loopback port, waits for ``/readyz``, and for each page runs wrk twice: flat out
(the peak), then paced at 70% of that page's peak rate, where the p95 is what a visitor would see
on a busy but not saturated server. Throughput is also given as a share of ``/healthz`` in the same
server run, which takes the machine's speed (and its other load) largely out of the comparison.

``python -m benchmarks.http [--duration 10] [--warmup 2] [--threads 2] [--connections 8]
[--modes cached,uncached] [--identity]`` (``make bench-http`` also installs wrk if missing).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from benchmarks.support import BenchmarkError, format_table, free_port, run

TARGET_RATIOS = {"list": 0.25, "detail": 0.4}
TARGET_P95_MS = 300
LOAD_SHARE = 0.7
PAGES = [
    ("healthz", "/healthz"),
    ("list", "/"),
    ("search", "/?q=precursor+disposal"),
    ("filtered list", "/?group=1.1&organization=UNODC"),
    ("detail", "/initiatives/1101/"),
    ("API list", "/api/initiatives/"),
    ("static file", None),  # the hashed site.css, from the collectstatic manifest
]
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
        pages = [(name, url or static_url("css/site.css")) for name, url in PAGES]
        print(
            f"wrk -t{options.threads} -c{options.connections}, {options.duration} s per "
            f"run; gunicorn workers: {os.environ.get('WEB_CONCURRENCY', 'gunicorn.conf.py')}; "
            f"cache: {settings.CACHES[settings.PAGE_CACHE_ALIAS]['BACKEND'].rsplit('.', 1)[-1]}; "
            f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT)
            script.flush()
            self.script = script.name
            for mode in options.modes:
                seconds = "0" if mode == "uncached" else str(settings.PAGE_CACHE_SECONDS or 3600)
                with serving({"PAGE_CACHE_SECONDS": seconds}, mode) as base:
                    results = [(name, url, *self.measure(base, url)) for name, url in pages]
                self.report(mode, seconds, results)

    def measure(self, base: str, path: str) -> tuple[Run, Run]:
        url = base + path
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  (loopback)
            if response.status != 200:
                raise BenchmarkError(f"{path} answered {response.status}")
        if self.options.warmup > 0:
            self.wrk(url, self.options.warmup)
        peak = self.wrk(url, self.options.duration)
        paced = self.wrk(url, self.options.duration, rate=peak.rate * LOAD_SHARE)
        print(f"  {path}: {peak.rate:.0f} req/s, p95 {paced.p95:.1f} ms at 70%", file=sys.stderr)
        return peak, paced

    def wrk(self, url: str, seconds: int, rate: float = 0) -> Run:
        threads = self.options.threads
        command = ["wrk", f"-t{threads}", f"-c{self.options.connections}", f"-d{seconds}s"]
        command += ["--timeout", "10s", "-s", self.script]
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
        header = ["page", "URL", "req/s", "p50 ms", "p95 ms", "p99 ms", "× healthz"]
        header += ["p95@70% ms", "req/s@70%", "failed", "target"]
        rows = []
        for name, url, peak, paced in results:
            ratio = peak.rate / healthz
            rows.append(
                [
                    name,
                    url if len(url) <= 34 else url[:31] + "...",
                    f"{peak.rate:.0f}",
                    f"{peak.p50:.1f}",
                    f"{peak.p95:.1f}",
                    f"{peak.p99:.1f}",
                    f"{ratio:.2f}",
                    f"{paced.p95:.1f}",
                    f"{paced.rate:.0f}",
                    str(peak.failures + paced.failures),
                    verdict(name, ratio, peak, paced),
                ]
            )
        print(
            f"\nPage cache {'off' if mode == 'uncached' else 'on'} (PAGE_CACHE_SECONDS={seconds})"
        )
        # Text columns (page, URL, target) to the left, figures to the right.
        for line in format_table(rows, header, right=set(range(2, len(header) - 1))):
            print(line)


def verdict(name: str, ratio: float, peak: Run, paced: Run) -> str:
    checks = []
    if name in TARGET_RATIOS:
        checks.append((f"≥{TARGET_RATIOS[name]}", ratio >= TARGET_RATIOS[name]))
    checks.append((f"p95<{TARGET_P95_MS}", paced.p95 < TARGET_P95_MS))
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
