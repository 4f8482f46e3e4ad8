"""What a registration costs at the form, with the mail server up, down or hanging.

The form only stores the registration and queues its e-mails (one transaction); a separate
worker sends them. This benchmark shows it: it times valid POSTs of the register form, first
with no delivery worker (the baseline), then with a worker thread running ``deliver_due()`` in a
loop beside it: with a real SMTP server (aiosmtpd, on loopback), with Django's e-mail pointed at
a closed port, and at a port that accepts connections and never answers. If the form waited for
SMTP, the last two phases would be slower (or fail). The worker shares this process (and its
GIL) with the form, so its own work shows as a little CPU contention, not as waiting.

Runs against a throw-away ``<database>_regbench`` database on the same server (dropped at the
end unless ``--keep``); the real database is never touched. No e-mail leaves the machine: every
address is on the reserved ``.invalid`` domain and the only SMTP server is the local one.

``python -m benchmarks.registration [--requests 200] [--phases none,up,down,hang] [--keep]
[--seed 1]`` (``make bench-registration``).
"""

import argparse
import importlib.util
import logging
import random
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify
from psycopg import sql

from benchmarks.support import (
    BenchmarkError,
    format_table,
    free_port,
    percentile,
    run,
    server_params,
    style,
)
from initiatives.models import Initiative, Organization
from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail, Registration
from initiatives.registrations.protection import new_token
from initiatives.seeding.loader import load_seed_file

SUFFIX = "_regbench"
WARMUP = 10
HOST = "127.0.0.1"
WORKER_IDLE_SECONDS = 0.05  # the worker looks at the queue again this soon (worst case)
DRAIN_SECONDS = 60  # with SMTP up, how long the worker may take to send the rest after the POSTs
HANG_TIMEOUT_SECONDS = 2  # EMAIL_TIMEOUT while the server accepts connections and never answers
SECRETARIAT = "secretariat@regbench.invalid"
COUNTRIES = ["KE", "CO", "PH", "MX", "GH", "VN", "PE", "NG", "TH", "JM"]
PHASES = {
    "none": "no worker",
    "up": "smtp up",
    "down": "smtp down",
    "hang": "smtp hangs",
}


# --- the bench database ----------------------------------------------------------------------


def _execute_on_server(settings_dict: dict, statement: sql.Composed) -> None:
    last_error = None
    for maintenance in ("postgres", "template1"):
        try:
            conn = psycopg.connect(**server_params(settings_dict, maintenance), autocommit=True)
        except psycopg.OperationalError as error:
            last_error = error
            continue
        with conn:
            conn.execute(statement)
        return
    raise BenchmarkError(f"Cannot reach the PostgreSQL server: {last_error}")


@contextmanager
def bench_database(keep: bool):
    """Point Django's default connection at a fresh, migrated ``<NAME>_regbench`` database."""
    connection = connections["default"]
    settings_dict = connection.settings_dict  # shared with every thread's connection
    real_name = settings_dict["NAME"]
    name = real_name + SUFFIX
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    connection.close()
    _execute_on_server(settings_dict, drop)
    _execute_on_server(settings_dict, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    settings_dict["NAME"] = name
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            (current,) = cursor.fetchone()
        if current != name:  # never write to anything but the bench database
            raise BenchmarkError(f"connected to {current!r}, expected {name!r}")
        call_command("migrate", verbosity=0, interactive=False)
        yield name
    finally:
        connections.close_all()
        settings_dict["NAME"] = real_name
        if not keep:
            _execute_on_server(settings_dict, drop)


# --- mail servers: a real one, a closed port, one that never answers --------------------------


@contextmanager
def smtp_up():
    """aiosmtpd on loopback, accepting and discarding every message. It runs in a child process
    so that parsing what it receives does not compete with the form for this process's GIL."""
    if importlib.util.find_spec("aiosmtpd") is None:  # a development dependency
        raise BenchmarkError("benchmarks.registration needs aiosmtpd (pip install aiosmtpd).")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{port}"]
        + ["-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"220"):
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise BenchmarkError(f"aiosmtpd did not start on {HOST}:{port}.")
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def smtp_down():
    yield free_port()


@contextmanager
def smtp_hangs():
    """A listening socket that is never accepted from: the TCP connection succeeds (the kernel
    completes it), the SMTP greeting never comes, the client waits for its timeout."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen(512)
        yield sock.getsockname()[1]


SERVERS = {"none": smtp_down, "up": smtp_up, "down": smtp_down, "hang": smtp_hangs}


# --- who opens SMTP connections ---------------------------------------------------------------


class SMTPConnections:
    """Counts smtplib connections per thread, to show the request thread never opens one."""

    def __init__(self):
        self.by_thread: dict[str, int] = {}
        self.lock = threading.Lock()
        self._original = smtplib.SMTP.connect

    def __enter__(self):
        original, counts = self._original, self

        def connect(smtp, *args, **kwargs):
            with counts.lock:
                name = threading.current_thread().name
                counts.by_thread[name] = counts.by_thread.get(name, 0) + 1
            return original(smtp, *args, **kwargs)

        smtplib.SMTP.connect = connect
        return self

    def __exit__(self, *exc):
        smtplib.SMTP.connect = self._original

    def of(self, thread_name: str) -> int:
        with self.lock:
            return self.by_thread.get(thread_name, 0)


# --- the delivery worker ----------------------------------------------------------------------


class Worker(threading.Thread):
    """``deliver_due()`` in a loop, as ``manage.py deliver_emails`` does, but without pausing
    while there is work (the most it can compete with the form for the database)."""

    def __init__(self, name: str):
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()
        self.rounds = self.sent = self.retried = self.failed = 0
        self.error: BaseException | None = None
        self.database = None

    def run(self):
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT current_database()")
                (self.database,) = cursor.fetchone()
            while not self.stopping.is_set():
                report = deliver_due()
                self.rounds += 1
                self.sent += report.sent
                self.retried += report.retried
                self.failed += report.failed
                if not report.sent:
                    self.stopping.wait(WORKER_IDLE_SECONDS)
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            self.error = error
        finally:
            connections.close_all()

    def stop(self):
        self.stopping.set()
        self.join(timeout=HANG_TIMEOUT_SECONDS * 5 + 30)


# --- the measurement --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.registration",
        description="Benchmark the register-interest form (valid POSTs) while a delivery worker "
        "runs, with the SMTP server up, down and hanging, in a separate <database>_regbench "
        "database.",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="Timed POSTs per phase (default 200).",
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help="Phases to run, comma-separated (default all): none (no delivery worker, the "
        "baseline), up (a real SMTP server), down (a closed port), hang (a server that "
        "never answers).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    options = parser.parse_args(argv)
    if options.requests < 1:
        parser.error("--requests must be at least 1.")
    options.phases = [part.strip() for part in options.phases.split(",") if part.strip()]
    unknown = [phase for phase in options.phases if phase not in PHASES]
    if unknown or not options.phases:
        parser.error(f"--phases: choose among {', '.join(PHASES)}, not {unknown}.")
    return options


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    # The worker logs every failed attempt: with the server down that is one line each; the
    # request log, one line per POST.
    for logger in ("initiatives.registrations.delivery", "mail.log", "catalogue.requests"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    RegistrationBench(seed=options.seed).run_phases(
        requests=options.requests, phases=options.phases, keep=options.keep
    )


class RegistrationBench:
    """The phases, one after the other, on one bench database and one test client."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def run_phases(self, *, requests: int, phases: list[str], keep: bool) -> None:
        rows = []
        with (
            bench_database(keep=keep) as name,
            override_settings(
                DEBUG=False,  # no query log; errors answered as 500 pages
                ALLOWED_HOSTS=[HOST],
                REGISTRATION_MIN_FILL_SECONDS=0,
                REGISTRATION_RATE_LIMITS={"ip": (10**9, 3600), "email": (10**9, 3600)},
                COALITION_CONTACT_EMAIL=SECRETARIAT,
                COPY_SECRETARIAT=False,
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST=HOST,
                EMAIL_HOST_USER="",
                EMAIL_HOST_PASSWORD="",
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
            ),
            SMTPConnections() as smtp_connections,
        ):
            print(f"Bench database: {name} (the real database is untouched)")
            report = load_seed_file(settings.SEED_FILE)
            print(f"Seed file loaded: {report.summary()}")
            self.prepare_routing()
            self.client = Client(raise_request_exception=False, HTTP_HOST=HOST)
            self.codes = list(
                Initiative.objects.published().order_by("code").values_list("code", flat=True)
            )
            self.warm_up()
            for phase in phases:
                rows.append(self.run_phase(phase, requests, smtp_connections))
            request_thread = threading.current_thread().name
            opened_by_form = smtp_connections.of(request_thread)
            if keep:
                print(f"Kept the bench database {name}.")

        header = [
            "phase",
            "n",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "registrations stored",
            "e-mails sent",
            "e-mails pending",
        ]
        print()
        for line in format_table([row["cells"] for row in rows], header, right=set(range(1, 8))):
            print(line)
        print()
        for row in rows:
            print(f"{row['cells'][0]}: {row['note']}")
        self.write_verdict(rows, opened_by_form)

    # --- set-up -----------------------------------------------------------------------------

    def prepare_routing(self):
        """Give every organization an (undeliverable) address, so that a registration's
        initiatives go to several recipients, as they would in production."""
        for organization in Organization.objects.all():
            organization.email = f"{slugify(organization.acronym) or 'org'}@regbench.invalid"
            organization.save(update_fields=["email"])

    def form_data(self, number: int) -> dict:
        return {
            "token": new_token(),
            "initiatives": self.rng.sample(self.codes, self.rng.randint(1, 3)),
            "full_name": f"Bench Registrant {number}",
            "job_title": "Head of Precursor Control",
            "agency": "Ministry of Health",
            "country": self.rng.choice(COUNTRIES),
            "email": f"registrant{number}@regbench.invalid",
            "phone": "+254 20 123 4567",
            "message": "We would like to take part.\nThank you.",
            "consent": "on",
            "website": "",
        }

    def post(self, number: int) -> tuple[float, int]:
        data = self.form_data(number)  # the token is signed outside the timed part
        start = time.perf_counter()
        response = self.client.post("/register/", data)
        return (time.perf_counter() - start) * 1000, response.status_code

    def warm_up(self):
        """Templates, the country list, the connection: loaded before anything is timed. The
        warm-up registrations are deleted (their e-mails with them)."""
        statuses = {self.post(-number)[1] for number in range(1, WARMUP + 1)}
        if statuses != {302}:
            raise BenchmarkError(f"The warm-up POSTs answered {sorted(statuses)}, not 302.")
        Registration.objects.all().delete()

    # --- one phase --------------------------------------------------------------------------

    def run_phase(self, phase: str, requests: int, smtp_connections: SMTPConnections) -> dict:
        label = PHASES[phase]
        timeout = HANG_TIMEOUT_SECONDS if phase == "hang" else 5
        first_pk = (Registration.objects.order_by("-pk").values_list("pk", flat=True).first()) or 0
        ours = OutboundEmail.objects.filter(registration__pk__gt=first_pk)
        worker = Worker(name=f"worker-{phase}")
        with (
            SERVERS[phase]() as port,
            override_settings(EMAIL_PORT=port, EMAIL_TIMEOUT=timeout),
        ):
            if phase != "none":
                worker.start()
            timings, statuses = [], {}
            started = time.perf_counter()
            for number in range(requests):
                elapsed, status = self.post(number)
                timings.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
            posting_seconds = time.perf_counter() - started
            if phase == "up":  # let the worker finish sending, to show everything goes out
                deadline = time.monotonic() + DRAIN_SECONDS
                while ours.filter(status="pending").exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
            if phase != "none":
                worker.stop()
        if worker.error is not None:
            raise BenchmarkError(f"The delivery worker failed: {worker.error!r}")
        bench_name = connections["default"].settings_dict["NAME"]
        if phase != "none" and worker.database != bench_name:
            raise BenchmarkError(f"The worker used {worker.database!r}, not the bench database.")

        stored = Registration.objects.filter(pk__gt=first_pk).count()
        counts = ours.aggregate(
            total=Count("pk"),
            sent=Count("pk", filter=Q(status="sent")),
            pending=Count("pk", filter=Q(status="pending")),
            failed=Count("pk", filter=Q(status="failed")),
        )
        # Out of the next phases' way: their worker sends (or tries) only their own e-mails.
        ours.filter(status="pending").update(next_attempt_at=timezone.now() + timedelta(days=1))
        cells = [
            label,
            str(len(timings)),
            f"{percentile(timings, 0.50):.1f}",
            f"{percentile(timings, 0.95):.1f}",
            f"{percentile(timings, 0.99):.1f}",
            str(stored),
            str(counts["sent"]),
            str(counts["pending"]),
        ]
        answers = ", ".join(f"{count}× {status}" for status, count in sorted(statuses.items()))
        note = (
            f"{requests} POSTs in {posting_seconds:.1f} s ({answers}), mean "
            f"{statistics.fmean(timings):.1f} ms, max {max(timings):.1f} ms; "
            f"{counts['total']} e-mails queued, {counts['failed']} failed; "
        )
        if phase == "none":
            note += "no delivery worker running"
        else:
            note += (
                f"worker: {worker.rounds} rounds, {worker.sent} sent, {worker.retried} attempts "
                f"refused or timed out, {smtp_connections.of(worker.name)} SMTP connections"
            )
        return {
            "phase": phase,
            "cells": cells,
            "note": note,
            "p50": percentile(timings, 0.50),
            "p95": percentile(timings, 0.95),
            "ok": statuses == {302: requests} and stored == requests,
        }

    # --- the verdict ------------------------------------------------------------------------

    def write_verdict(self, rows: list[dict], opened_by_form: int):
        print()
        if all(row["ok"] for row in rows):
            print(style.SUCCESS("Every POST was answered 302 and stored its registration."))
        else:
            print(style.ERROR("Some POSTs were not answered 302 or not stored."))
        shown = style.SUCCESS if opened_by_form == 0 else style.ERROR
        print(shown(f"SMTP connections opened by the thread answering the form: {opened_by_form}."))
        by_phase = {row["phase"]: row for row in rows}
        base_phase = "up" if "up" in by_phase else "none"
        if base_phase in by_phase:
            base = by_phase[base_phase]
            for phase, other in by_phase.items():
                if phase != base_phase:
                    print(
                        f"{PHASES[phase]} vs {PHASES[base_phase]}: p50 {other['p50']:.1f} vs "
                        f"{base['p50']:.1f} ms ({other['p50'] / base['p50']:.2f}×), p95 "
                        f"{other['p95']:.1f} vs {base['p95']:.1f} ms "
                        f"({other['p95'] / base['p95']:.2f}×)"
                    )
        if "hang" in by_phase:
            print(
                f"Had the form waited for the hanging server, each POST would have taken at "
                f"least {HANG_TIMEOUT_SECONDS * 1000} ms (EMAIL_TIMEOUT)."
            )


if __name__ == "__main__":
    sys.exit(run(main))
