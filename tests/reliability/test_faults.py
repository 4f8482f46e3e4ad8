"""Faults under traffic: the SMTP server down, PostgreSQL crashed and restarted, an e-mail worker
SIGKILLed while sending (before the server accepted, and after). Afterwards nothing is lost,
nothing is sent twice, and the service is back without anyone doing anything."""

import time

import psutil
import pytest

from tests.reliability import checks, traffic
from tests.reliability.conftest import EMAIL_TIMEOUT, MIN_FILL_SECONDS
from tests.reliability.servers import Process, http_status, wait_for
from tests.reliability.smtp_hold import CLIENT_GONE, RELEASED, Hold

pytestmark = pytest.mark.reliability

# How long the SMTP server may hold back an answer for a scenario to act: shorter than the
# workers' own wait (EMAIL_TIMEOUT), so that a worker never gives up by itself during a hold.
HOLD_SECONDS = EMAIL_TIMEOUT * 0.75
# Waiting for the stack to be whole and quiet before a scenario: the longest is a message whose
# worker died, retried when its claim expires (10 × EMAIL_TIMEOUT), plus back-offs.
QUIET_SECONDS = 120


def background(stack, readers=3, registrants=3, seed=2) -> traffic.Load:
    return traffic.start_load(stack, readers, registrants, MIN_FILL_SECONDS, seed=seed)


def new_registrant(stack) -> traffic.Registrant:
    return traffic.Registrant(
        stack.base,
        traffic.Stats(),
        stack.catalogue,
        traffic.random.Random(7),
        traffic.new_run_id(),
        MIN_FILL_SECONDS,
    )


def register(registrant: traffic.Registrant) -> traffic.Attempt:
    """One registration for initiatives routed to three addresses: four e-mails."""
    attempt = registrant.step(codes=registrant.catalogue.spread(3))
    assert attempt.outcome == "accepted", (attempt, registrant.stats.problems)
    return attempt


def of_registrant(registrant: traffic.Registrant):
    """Whether an e-mail is one of this registrant's (the confirmation to them, or a request
    whose Reply-To is them), and not a message left over from another scenario."""
    prefix = f"official.{registrant.run}."

    def belongs(message, rcpt_tos) -> bool:
        return any(prefix in address for address in [*rcpt_tos, str(message["Reply-To"] or "")])

    return belongs


def held_send(stack, command: str) -> tuple[traffic.Attempt, Hold]:
    """A new registration whose e-mail's answer to ``command`` the SMTP server holds back:
    the attempt, and the hold once the worker is waiting on it."""
    registrant = new_registrant(stack)
    stack.smtp.recorder.hold_next(command, of_registrant(registrant), HOLD_SECONDS)
    attempt = register(registrant)
    return attempt, stack.smtp.recorder.next_hold(timeout=60)


def sender(stack, hold: Hold) -> Process:
    """The worker on the other end of the held SMTP conversation."""
    server = ("127.0.0.1", stack.smtp.port)
    worker = stack.workers.owner_of(hold.peer, server)
    assert worker is not None, (
        f"no worker of ours has the SMTP connection {hold.peer} -> {server}; "
        f"{stack.workers.describe_connections()}"
    )
    return worker


def port_twins(peer: tuple, server: tuple) -> int:
    """Other sockets on this machine with the SMTP client's own address (host, port), on
    connections to elsewhere: what matching the client's port alone could pick instead."""
    return sum(
        1
        for connection in psutil.net_connections(kind="tcp4")
        if tuple(connection.laddr or ())[:2] == tuple(peer)[:2]
        and tuple(connection.raddr or ())[:2] != tuple(server)[:2]
    )


def mend(stack) -> None:
    """Undo whatever a scenario breaks: SMTP down or holding, PostgreSQL down, a worker dead."""
    recorder = stack.smtp.recorder
    recorder.disarm()
    recorder.delay = recorder.quit_delay = 0.0
    recorder.on_data = recorder.on_quit = None
    if not stack.smtp.running:
        stack.smtp.start()
    if not stack.cluster.running():
        stack.cluster.start()
    while len(stack.workers.alive()) < 2:
        stack.workers.add()


def wait_until_quiet(stack, timeout: float = QUIET_SECONDS) -> float:
    """Until gunicorn is ready, both workers run and the outbox is empty (nothing queued,
    claimed or in flight); a scenario then sees only its own e-mails."""
    problems: list[str] = []

    def quiet() -> bool:
        problems.clear()
        if not stack.web.alive():
            problems.append("gunicorn exited")
        if len(stack.workers.alive()) != 2:
            problems.append(f"{len(stack.workers.alive())} workers alive, not 2")
        if http_status(stack.base + "/readyz") != 200:
            problems.append("/readyz does not answer 200")
        try:
            pending = checks.pending(stack.cluster)
        except Exception as error:  # noqa: BLE001  (reported below)
            problems.append(f"outbox unreadable: {type(error).__name__}: {error}")
        else:
            if pending:
                problems.append(f"{pending} e-mails still pending")
        return not problems

    try:
        return wait_for(quiet, timeout, 0.5, "a quiet stack")[1]
    except AssertionError:
        pytest.fail(
            f"precondition: after {timeout:.0f} s the stack is still not whole and quiet: "
            + "; ".join(problems),
            pytrace=False,
        )


@pytest.fixture
def scenario(stack):
    """Each fault scenario starts from a whole, quiet stack, whatever the one before did or
    failed to undo (a failure there is not carried over into this one), and mends the stack
    when it ends, even if it fails."""
    mend(stack)
    wait_until_quiet(stack)
    yield
    mend(stack)


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


def test_smtp_down_then_back_every_email_delivered_once(stack, scenario):
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


def test_postgresql_crash_and_restart_recovers_by_itself(stack, scenario):
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


def test_worker_killed_while_sending_its_message_is_delivered_once(stack, scenario):
    recorder = stack.smtp.recorder
    # The server holds back its answer to the first DATA of this registration's e-mails: the
    # worker is killed while waiting for it, before the server has accepted anything.
    attempt, hold = held_send(stack, "DATA")
    (message_id,) = hold.message_ids
    victim = sender(stack, hold)
    victim.kill()
    killed_at = time.monotonic()
    outcome = hold.wait_end(timeout=10)
    assert outcome == CLIENT_GONE, (
        f"the kill did not land mid-send: the hold {outcome} (kill "
        f"{killed_at - hold.arrived_at:.2f} s into it, at most {HOLD_SECONDS} s)"
    )
    assert message_id in recorder.aborted
    assert message_id not in recorder.message_ids(), "accepted from a killed client"
    twins = port_twins(hold.peer, ("127.0.0.1", stack.smtp.port))

    _, redelivered_after = wait_for(
        lambda: message_id in recorder.message_ids(), 90, 0.1, f"{message_id} delivered again"
    )
    survivors = stack.workers.alive()
    assert survivors and victim not in survivors
    assert len(survivors) == 1, "only the surviving worker can have sent it"
    stack.workers.add()  # and a replacement, as a supervisor would start
    checks.wait_until_delivered(stack.cluster, timeout=60)
    delivered = checks.check_delivery(stack.cluster, stack.smtp, [attempt], stack.catalogue)
    rows = checks.outbox(stack.cluster, [attempt.email])
    (row,) = [r for r in rows if r["message_id"] == message_id]
    # The killed attempt counts; the second one, once the dead worker's claim expired, sent it.
    assert row["attempts"] == 2
    traffic.REPORT.append(
        f"worker SIGKILLed mid-DATA ({killed_at - hold.arrived_at:.2f} s into the held answer; "
        f"{twins} other sockets shared its local port number): {message_id} aborted at the "
        f"server, delivered by the surviving worker {redelivered_after:.1f} s after the kill (its "
        f"claim expired); {delivered['emails']} e-mails of that registration each delivered once"
    )
    assert time.monotonic() - killed_at < 60


def test_worker_killed_after_the_server_accepted_sends_no_second_copy(stack, scenario):
    """The server has answered 250 and the worker is closing the conversation (its QUIT not
    answered yet) when it is SIGKILLed: the message was delivered, it is recorded as sent, and
    it is not sent again."""
    attempt, hold = held_send(stack, "QUIT")
    victim = sender(stack, hold)
    victim.kill()
    killed_at = time.monotonic()
    outcome = hold.wait_end(timeout=10)
    assert outcome == CLIENT_GONE, (
        f"the kill did not land before the answer to QUIT: the hold {outcome} (kill "
        f"{killed_at - hold.arrived_at:.2f} s into it, at most {HOLD_SECONDS} s)"
    )
    assert hold.message_ids, "the held conversation delivered nothing"
    victims = {r["message_id"]: r for r in checks.outbox(stack.cluster, [attempt.email])}
    for message_id in hold.message_ids:
        row = victims[message_id]
        assert (row["status"], row["attempts"]) == ("sent", 1), f"not recorded before QUIT: {row}"
    twins = port_twins(hold.peer, ("127.0.0.1", stack.smtp.port))
    stack.workers.add()
    checks.wait_until_delivered(stack.cluster, timeout=60)
    time.sleep(3)  # a second copy, if any, would be sent by now
    delivered = checks.check_delivery(stack.cluster, stack.smtp, [attempt], stack.catalogue)
    rows = checks.outbox(stack.cluster, [attempt.email])
    assert {row["attempts"] for row in rows} == {1}
    traffic.REPORT.append(
        f"worker SIGKILLed after the 250, while closing the SMTP conversation "
        f"({killed_at - hold.arrived_at:.2f} s into the held answer to QUIT; {twins} other "
        f"sockets shared its local port number): {', '.join(hold.message_ids)} recorded sent at "
        f"its first attempt, not sent again; {delivered['emails']} e-mails of that registration "
        f"each delivered once"
    )


def test_postgresql_crash_while_sending_sends_no_second_copy(stack, scenario):
    """PostgreSQL crashes while the SMTP server is taking a message, which it then accepts: the
    worker cannot record "sent" until PostgreSQL is back, and the message must not go out again
    (neither by this worker nor by the other one once the database returns)."""
    recorder = stack.smtp.recorder
    attempt, hold = held_send(stack, "DATA")
    (message_id,) = hold.message_ids
    stack.cluster.stop("immediate")  # the crash completes before the 250
    crashed_at = time.monotonic()
    hold.release()
    outcome = hold.wait_end(timeout=10)
    assert outcome == RELEASED, (
        f"the answer was not held until PostgreSQL had crashed: the hold {outcome} (crash done "
        f"{crashed_at - hold.arrived_at:.2f} s into it, at most {HOLD_SECONDS} s)"
    )
    wait_for(lambda: message_id in recorder.message_ids(), 10, 0.1, "the 250")
    (accepted,) = [d for d in recorder.deliveries if d.message_id == message_id]
    assert accepted.accepted_at > crashed_at, "PostgreSQL was still up at the 250"
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
        f"PostgreSQL crashed during a send ({crashed_at - hold.arrived_at:.2f} s into the held "
        f"answer to DATA), down {restarted_at - crashed_at:.1f} s: {message_id} accepted by SMTP "
        f"meanwhile, recorded sent by the same attempt once the database was back, not sent "
        f"again; {delivered['emails']} e-mails each delivered once"
    )


def test_over_the_whole_run_every_email_was_delivered_exactly_once(stack):
    checks.wait_until_delivered(stack.cluster, timeout=60)
    total = checks.check_all_delivered_once(stack.cluster, stack.smtp)
    assert len(stack.workers.alive()) == 2 and stack.web.alive()
    traffic.REPORT.append(
        f"whole run: {total} e-mails queued, {total} sent, each accepted by SMTP exactly once; "
        f"sends cut off before the 250 (and completed later): {stack.smtp.recorder.aborted}"
    )
