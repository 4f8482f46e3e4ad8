"""What must hold after a run: read from the served database and the SMTP server's record."""

import time
from collections import Counter

from tests.reliability.traffic import Attempt, Catalogue


def pending(cluster) -> int:
    """E-mails not sent yet: queued, being retried, or claimed by a worker (maybe mid-send)."""
    with cluster.connect() as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM initiatives_outboundemail WHERE status = 'pending'"
        ).fetchone()
    return count


def wait_until_delivered(cluster, timeout: float = 90) -> float:
    """Wait until the outbox has nothing pending; return how long that took."""
    started = time.monotonic()
    while True:
        pending_now = pending(cluster)
        if pending_now == 0:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"{pending_now} e-mails still pending"
        time.sleep(0.5)


def outbox(cluster, emails: list[str] | None = None) -> list[dict]:
    query = """SELECT e.message_id, e.status, e.attempts, e.kind, e.to, e.cc, e.reply_to,
                      e.subject, e.body_text, e.last_error, r.email AS registrant
               FROM initiatives_outboundemail e
               JOIN initiatives_registration r ON r.id = e.registration_id"""
    with cluster.connect() as conn:
        cursor = conn.cursor(row_factory=__import__("psycopg").rows.dict_row)
        if emails is None:
            return cursor.execute(query).fetchall()
        return cursor.execute(query + " WHERE r.email = ANY(%s)", [emails]).fetchall()


def check_registrations(cluster, attempts: list[Attempt], catalogue: Catalogue) -> dict:
    """Every accepted registration is stored once, with its initiatives, content and e-mails;
    nothing was stored for an attempt that never reached the server."""
    emails = [a.email for a in attempts]
    with cluster.connect() as conn:
        rows = conn.execute(
            """SELECT r.id, r.reference::text, r.email, r.full_name, r.agency, r.country,
                      r.message, r.consent
               FROM initiatives_registration r WHERE r.email = ANY(%s)""",
            [emails],
        ).fetchall()
        items = conn.execute(
            """SELECT r.email, i.code, it.recipient
               FROM initiatives_registrationitem it
               JOIN initiatives_registration r ON r.id = it.registration_id
               JOIN initiatives_initiative i ON i.id = it.initiative_id
               WHERE r.email = ANY(%s)""",
            [emails],
        ).fetchall()
    stored = Counter(row[2] for row in rows)
    duplicated = [email for email, count in stored.items() if count > 1]
    assert not duplicated, f"registrations stored twice: {duplicated[:5]}"
    by_email = {row[2]: row for row in rows}
    items_of: dict[str, dict[str, str]] = {}
    for email, code, recipient in items:
        items_of.setdefault(email, {})[code] = recipient
    for attempt in attempts:
        row = by_email.get(attempt.email)
        if attempt.outcome == "accepted":
            assert row is not None, f"accepted registration {attempt.email} was lost"
            _, reference, _, full_name, agency, country, message, consent = row
            assert reference == attempt.reference, attempt.email
            assert (full_name, agency, country, message, consent) == (
                attempt.full_name,
                attempt.agency,
                attempt.country,
                attempt.message,
                True,
            ), f"registration {attempt.email} stored with other content: {row}"
            assert items_of.get(attempt.email) == {
                code: catalogue.recipient[code] for code in attempt.codes
            }, f"registration {attempt.email}: items {items_of.get(attempt.email)}"
        elif attempt.outcome == "not sent":
            assert row is None, f"{attempt.email} stored though never sent"
        # "refused"/"unknown": the server may have stored it before the answer was lost; then it
        # must be complete like any other (checked through its e-mails below).
    return {"stored": len(rows), "accepted": sum(a.outcome == "accepted" for a in attempts)}


def expected_emails(attempt: Attempt, catalogue: Catalogue) -> dict[tuple, list[str]]:
    """Recipient address(es) → the codes each e-mail must list."""
    grouped: dict[tuple, list[str]] = {}
    for code in attempt.codes:
        grouped.setdefault((catalogue.recipient[code],), []).append(code)
    grouped[(attempt.email,)] = list(attempt.codes)  # the confirmation lists them all
    return grouped


def check_delivery(cluster, smtp, attempts: list[Attempt], catalogue: Catalogue) -> dict:
    """Every e-mail of every accepted registration was sent, and the SMTP server accepted each
    Message-ID exactly once, for the right recipients, with the right content."""
    accepted = {a.email: a for a in attempts if a.outcome == "accepted"}
    rows = outbox(cluster, [a.email for a in attempts])
    deliveries = Counter(smtp.recorder.message_ids())
    by_id = {d.message_id: d for d in smtp.deliveries}
    by_registrant: dict[str, list[dict]] = {}
    for row in rows:
        by_registrant.setdefault(row["registrant"], []).append(row)
        assert row["status"] == "sent", f"{row['message_id']} is {row['status']}"
        count = deliveries[row["message_id"]]
        assert count == 1, f"{row['message_id']} reached the SMTP server {count} times"
        delivery = by_id[row["message_id"]]
        assert sorted(delivery.rcpt_tos) == sorted(row["to"] + row["cc"]), row["message_id"]
        message = delivery.message
        assert message["Subject"] == row["subject"]
        assert message["To"] == ", ".join(row["to"])
        assert message["Reply-To"] == ", ".join(row["reply_to"])
        assert row["body_text"].strip() in message.get_body(("plain",)).get_content().replace(
            "\r\n", "\n"
        )
    for email, attempt in accepted.items():
        sent = by_registrant.get(email, [])
        expected = expected_emails(attempt, catalogue)
        got = {tuple(row["to"]): row for row in sent}
        assert set(got) == set(expected), f"{email}: e-mails to {sorted(got)}"
        assert len(sent) == len(expected), f"{email}: {len(sent)} e-mails"
        for recipients, codes in expected.items():
            row = got[recipients]
            if recipients != (email,):
                assert row["reply_to"] == [email], row["message_id"]
                assert row["subject"].endswith(", ".join(codes)), row["subject"]
            for code in codes:
                assert f"- {code} " in row["body_text"], f"{row['message_id']} lacks {code}"
    return {
        "emails": len(rows),
        "retried": sum(1 for row in rows if row["attempts"] > 1),
        "max_attempts": max((row["attempts"] for row in rows), default=0),
    }


def check_all_delivered_once(cluster, smtp) -> int:
    """Over the whole session: every queued e-mail sent, each accepted by SMTP exactly once,
    and nothing reached SMTP that is not in the outbox."""
    rows = outbox(cluster)
    deliveries = Counter(smtp.recorder.message_ids())
    not_sent = [row["message_id"] for row in rows if row["status"] != "sent"]
    assert not not_sent, f"not sent: {not_sent[:5]}"
    wrong = {row["message_id"]: deliveries[row["message_id"]] for row in rows}
    wrong = {mid: count for mid, count in wrong.items() if count != 1}
    assert not wrong, f"delivered other than once: {list(wrong.items())[:5]}"
    unknown = set(deliveries) - {row["message_id"] for row in rows}
    assert not unknown, f"unknown messages delivered: {sorted(unknown)[:5]}"
    return len(rows)
