"""Faults under traffic: the SMTP server down, PostgreSQL crashed and restarted, an e-mail worker
SIGKILLed while sending (before the server accepted, and after). Afterwards nothing is lost,
nothing is sent twice, and the service is back without anyone doing anything."""

import threading
import time

import psutil
import pytest

from tests.reliability import checks, traffic
from tests.reliability.conftest import EMAIL_TIMEOUT, MIN_FILL_SECONDS
from tests.reliability.servers import http_status, wait_for

pytestmark = pytest.mark.reliability


def background(stack, readers=3, registrants=3, seed=2) -> traffic.Load:
    return traffic.start_load(stack, readers, registrants, MIN_FILL_SECONDS, seed=seed)


def one_registration(stack) -> traffic.Attempt:
    """One registration for initiatives routed to three addresses: four e-mails."""
    stats = traffic.Stats()
    registrant = traffic.Registrant(
        stack.base,
        stats,
        stack.catalogue,
        traffic.random.Random(7),
        traffic.new_run_id(),
        MIN_FILL_SECONDS,
    )
    attempt = registrant.step(codes=stack.catalogue.spread(3))
    assert attempt.outcome == "accepted", (attempt, stats.problems)
    return attempt


@pytest.fixture
def restore(stack):
    """Whatever a scenario breaks is mended before the next one, even if it fails."""
    yield
    stack.smtp.recorder.delay = stack.smtp.recorder.quit_delay = 0.0
    stack.smtp.recorder.on_data = stack.smtp.recorder.on_quit = None
    if not stack.smtp.running:
        stack.smtp.start()
    if not stack.cluster.running():
        stack.cluster.start()
    while len(stack.workers.alive()) < 2:
        stack.workers.add()


def no_server_errors_but_503(stats: traffic.Stats, window: tuple[float, float]) -> None:
    errors = stats.server_errors(allowed=(503,))
    assert not errors, errors[:5]
    # A 503 is right only for a request that was in flight (or queued) during the outage.
    outside = [
        s
        for s in stats.samples
        if s.status == 503 and (s.started + s.seconds < window[0] or s.started > window[1])
    ]
    assert not outside, f"503 outside the outage: {outside[:5]}"


def test_smtp_down_then_back_every_email_delivered_once(stack, restore):
    load = background(stack)
    time.sleep(3)
    stack.smtp.stop()
    down_at = time.monotonic()
    time.sleep(15)
    stack.smtp.start()
    up_at = time.monotonic()
    time.sleep(3)
    load.stop()
    drained = checks.wait_until_delivered(stack.cluster, timeout=60)

    assert not load.crashes, load.crashes
    assert not load.stats.server_errors() and not load.stats.problems, load.stats.problems[:5]
    during = [a for a in load.accepted if down_at < a.accepted_at < up_at]
    assert len(during) >= 5, "registrations must go on while mail is down"
    assert all(a.posts == [302] for a in load.attempts), "the form must not care about SMTP"
    posts = [s.seconds for s in load.stats.samples if s.kind == "register"]
    assert max(posts) < 5, f"the form waited on mail: {max(posts):.1f} s"
    registered = checks.check_registrations(stack.cluster, load.attempts, stack.catalogue)
    delivered = checks.check_delivery(stack.cluster, stack.smtp, load.attempts, stack.catalogue)
    assert delivered["retried"] > 0, "nothing was retried: was SMTP really down?"
    caught_up = time.monotonic() - up_at
    traffic.REPORT.append(
        f"SMTP down {up_at - down_at:.0f} s: {len(during)} registrations accepted meanwhile "
        f"(POST max {max(posts) * 1000:.0f} ms), {registered['accepted']} in all, "
        f"{delivered['emails']} e-mails, {delivered['retried']} needed retries (up to "
        f"{delivered['max_attempts']} attempts); all delivered once, {caught_up:.1f} s after SMTP "
        f"returned (outbox empty {drained:.1f} s after the load stopped)"
    )


def test_postgresql_crash_and_restart_recovers_by_itself(stack, restore):
    load = background(stack, readers=4, registrants=3, seed=3)
    time.sleep(4)
    crash_at = time.monotonic()
    stack.cluster.stop("immediate")  # a crash: no shutdown checkpoint, recovery on start
    down_at = time.monotonic()
    probes = []
    while time.monotonic() - down_at < 8:
        for path in ("/", "/api/initiatives/", "/readyz", "/healthz"):
            started = time.monotonic()
            status = http_status(stack.base + path, timeout=10)
            probes.append((path, status, time.monotonic() - started))
        time.sleep(0.3)
    stack.cluster.start()
    up_at = time.monotonic()
    _, ready_after = wait_for(
        lambda: http_status(stack.base + "/readyz") == 200, 60, 0.1, "readyz after restart"
    )
    time.sleep(8)  # traffic goes on after the restart
    load.stop()
    drained = checks.wait_until_delivered(stack.cluster, timeout=60)

    expected = {"/": 503, "/api/initiatives/": 503, "/readyz": 503, "/healthz": 200}
    wrong = [(p, s, round(t, 2)) for p, s, t in probes if s != expected[p] or t > 5]
    assert not wrong, f"during the outage: {wrong[:8]}"
    assert not load.crashes, load.crashes
    assert [s for s in load.stats.samples if s.status is None] == [], "connections failed"
    no_server_errors_but_503(load.stats, (crash_at, up_at + ready_after + 1))
    assert not load.stats.problems, load.stats.problems[:5]
    registered = checks.check_registrations(stack.cluster, load.attempts, stack.catalogue)
    after = [a for a in load.accepted if a.accepted_at > up_at + ready_after]
    assert after, "no registration went through after the restart"
    refused = [a for a in load.attempts if a.outcome != "accepted"]
    assert not refused, f"still refused after retrying: {refused[:3]}"
    delivered = checks.check_delivery(stack.cluster, stack.smtp, load.attempts, stack.catalogue)
    assert len(stack.workers.alive()) == 2 and stack.web.alive(), "a process did not survive"
    retried_posts = sum(1 for a in load.attempts if len(a.posts) > 1)
    unavailable = sum(1 for s in load.stats.samples if s.status == 503)
    slowest = max(t for _, _, t in probes)
    traffic.REPORT.append(
        f"PostgreSQL crash (stop -m immediate) for {up_at - crash_at:.1f} s: pages 503 within "
        f"{slowest * 1000:.0f} ms (healthz 200), {unavailable} answers 503 to the load, 0 other "
        f"5xx; readyz 200 again {ready_after:.1f} s after PostgreSQL was up; "
        f"{registered['accepted']} registrations accepted ({retried_posts} after resending a "
        f"refused POST), {registered['stored']} stored, {len(after)} after recovery; "
        f"{delivered['emails']} e-mails delivered once (outbox empty {drained:.1f} s after load)"
    )


def owner_of(peer: tuple) -> int | None:
    """The pid of the local process on the other end of an SMTP session (looked up a few times:
    one scan of /proc can miss a socket, or see it before its owner is known)."""
    for _ in range(20):
        for connection in psutil.net_connections(kind="tcp"):
            if connection.laddr and tuple(connection.laddr)[:2] == tuple(peer)[:2]:
                if connection.pid is not None:
                    return connection.pid
        time.sleep(0.05)
    return None


def test_worker_killed_while_sending_its_message_is_delivered_once(stack, restore):
    recorder = stack.smtp.recorder
    # Slow DATA (within the workers' timeout): the kill lands before the server has answered.
    recorder.delay = EMAIL_TIMEOUT * 0.75
    in_data = threading.Event()
    first: list = []

    def on_data(peer, message_id):
        if not first:
            first.append((peer, message_id, owner_of(peer)))
            in_data.set()

    recorder.on_data = on_data
    attempt = one_registration(stack)
    assert in_data.wait(30), "no worker started sending"
    peer, message_id, pid = first[0]
    victim = stack.workers.by_pid(pid)
    assert victim is not None, f"the sender {pid} is not one of our workers"
    victim.kill()
    killed_at = time.monotonic()

    _, redelivered_after = wait_for(
        lambda: message_id in recorder.message_ids(), 90, 0.1, f"{message_id} delivered again"
    )
    assert message_id in recorder.aborted, "the kill did not land mid-send"
    survivors = stack.workers.alive()
    assert len(survivors) == 1, "only the surviving worker can have sent it"
    stack.workers.add()  # and a replacement, as a supervisor would start
    checks.wait_until_delivered(stack.cluster, timeout=60)
    delivered = checks.check_delivery(stack.cluster, stack.smtp, [attempt], stack.catalogue)
    rows = checks.outbox(stack.cluster, [attempt.email])
    (row,) = [r for r in rows if r["message_id"] == message_id]
    # The killed attempt counts; the second one, once the dead worker's claim expired, sent it.
    assert row["attempts"] == 2
    traffic.REPORT.append(
        f"worker SIGKILLed mid-DATA: {message_id} aborted at the server, delivered by the "
        f"surviving worker {redelivered_after:.1f} s after the kill (its claim expired); "
        f"{delivered['emails']} e-mails of that registration each delivered once"
    )
    assert time.monotonic() - killed_at < 60


def test_worker_killed_after_the_server_accepted_sends_no_second_copy(stack, restore):
    """The server has answered 250 and the worker is closing the conversation (QUIT, slow to
    answer) when it is SIGKILLed: the message was delivered, it is recorded as sent, and it is
    not sent again."""
    recorder = stack.smtp.recorder
    recorder.quit_delay = EMAIL_TIMEOUT * 0.75
    killed: list = []

    def on_quit(peer):
        if not killed:
            pid = owner_of(peer)
            victim = stack.workers.by_pid(pid)
            killed.append((peer, pid))
            if victim is not None:
                victim.kill()

    recorder.on_quit = on_quit
    attempt = one_registration(stack)
    wait_for(lambda: killed, 30, 0.1, "a worker closing a conversation")
    peer, pid = killed[0]
    assert stack.workers.by_pid(pid) is not None and not stack.workers.by_pid(pid).alive()
    (victims_message,) = [d.message_id for d in recorder.deliveries if d.peer == peer]
    recorder.on_quit = None
    recorder.quit_delay = 0.0
    stack.workers.add()
    checks.wait_until_delivered(stack.cluster, timeout=60)
    time.sleep(3)  # a second copy, if any, would be sent by now
    delivered = checks.check_delivery(stack.cluster, stack.smtp, [attempt], stack.catalogue)
    rows = checks.outbox(stack.cluster, [attempt.email])
    assert {row["attempts"] for row in rows} == {1}
    traffic.REPORT.append(
        f"worker SIGKILLed after the 250, while closing the SMTP conversation: "
        f"{victims_message} recorded sent at its first attempt, not sent again; "
        f"{delivered['emails']} e-mails of that registration each delivered once"
    )


def test_postgresql_crash_while_sending_sends_no_second_copy(stack, restore):
    """PostgreSQL crashes while the SMTP server is taking a message, which it then accepts: the
    worker cannot record "sent" until PostgreSQL is back, and the message must not go out again
    (neither by this worker nor by the other one once the database returns)."""
    recorder = stack.smtp.recorder
    recorder.delay = EMAIL_TIMEOUT * 0.75  # the crash completes before the 250
    target: list = []
    crashed = threading.Event()

    def crash():
        stack.cluster.stop("immediate")
        target.append(time.monotonic())
        crashed.set()

    def on_data(peer, message_id):
        if not target:
            target.append(message_id)
            threading.Thread(target=crash).start()

    recorder.on_data = on_data
    attempt = one_registration(stack)
    assert crashed.wait(30), "no worker started sending"
    message_id, crashed_at = target
    wait_for(lambda: message_id in recorder.message_ids(), 10, 0.1, "the 250")
    (accepted,) = [d for d in recorder.deliveries if d.message_id == message_id]
    assert accepted.accepted_at > crashed_at, "PostgreSQL was still up at the 250"
    recorder.on_data = None
    recorder.delay = 0.0
    time.sleep(4)  # the database stays down a while
    stack.cluster.start()
    restarted_at = time.monotonic()
    checks.wait_until_delivered(stack.cluster, timeout=60)
    time.sleep(3)  # a second copy, if any, would be sent by now
    delivered = checks.check_delivery(stack.cluster, stack.smtp, [attempt], stack.catalogue)
    rows = checks.outbox(stack.cluster, [attempt.email])
    (row,) = [r for r in rows if r["message_id"] == message_id]
    assert row["attempts"] == 1, "recorded as sent by the attempt that sent it"
    assert len(stack.workers.alive()) == 2
    traffic.REPORT.append(
        f"PostgreSQL crashed during a send, down {restarted_at - crashed_at:.1f} s: "
        f"{message_id} accepted by SMTP meanwhile, recorded sent by the same attempt once the "
        f"database was back, not sent again; {delivered['emails']} e-mails each delivered once"
    )


def test_over_the_whole_run_every_email_was_delivered_exactly_once(stack):
    checks.wait_until_delivered(stack.cluster, timeout=60)
    total = checks.check_all_delivered_once(stack.cluster, stack.smtp)
    assert len(stack.workers.alive()) == 2 and stack.web.alive()
    traffic.REPORT.append(
        f"whole run: {total} e-mails queued, {total} sent, each accepted by SMTP exactly once; "
        f"sends cut off before the 250 (and completed later): {stack.smtp.recorder.aborted}"
    )
