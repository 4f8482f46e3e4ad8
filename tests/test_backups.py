"""Backups that are proven to restore: the restore drill, damaged files, the e-mail worker.

These run pg_dump and pg_restore (the server's own version) against the test database, so
they commit (transactional tests) and the database is emptied after each.
"""

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from catalogue.backups import archive
from initiatives.models import Contact, Initiative, Organization, SubWorkingGroup, WorkingGroup
from initiatives.registrations.delivery import deliver_due
from initiatives.registrations.models import OutboundEmail, Registration, RegistrationItem
from initiatives.registrations.worker_lock import WORKER_LOCK_KEY, WorkerLock
from initiatives.seeding.loader import load_seed_file
from tests.conftest import admin_change_form, registration_form, sign_in_with_second_factor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quick_forms")]
ROOT = Path(__file__).resolve().parent.parent

# Every table the drill compares, row by row.
MODELS = [
    WorkingGroup,
    SubWorkingGroup,
    Organization,
    Contact,
    Initiative,
    Initiative.partner_organizations.through,
    Registration,
    RegistrationItem,
    OutboundEmail,
    Initiative.history.model,
    Organization.history.model,
    Contact.history.model,
]


@pytest.fixture
def quick_forms(settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.COALITION_CONTACT_EMAIL = "secretariat@coalition.example"
    settings.COPY_SECRETARIAT = False


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every compared table, all columns, in primary-key order."""
    rows = {}
    for model in MODELS:
        columns = [field.attname for field in model._meta.concrete_fields]
        rows[model._meta.db_table] = list(model.objects.order_by("pk").values_list(*columns))
    return rows


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for table, rows in before.items():
        if rows != after[table]:
            # repr: some columns hold lists (array fields), which a set cannot.
            lost = set(map(repr, rows)) - set(map(repr, after[table]))
            extra = set(map(repr, after[table])) - set(map(repr, rows))
            found.append(f"{table}: {len(lost)} rows lost or changed, {len(extra)} new or changed")
    return found


@pytest.fixture
def catalogue_in_use(client, smtp_server):
    """The catalogue with registrations (e-mails sent and e-mails still queued) and a staff
    edit recorded in the history, committed."""
    load_seed_file(settings.SEED_FILE)
    unodc = Organization.objects.get(acronym="UNODC")
    contact = Contact.objects.create(name="Ana Example", organization=unodc, email="ana@un.example")
    Initiative.objects.filter(code="3212").update(point_of_contact=contact)
    client.post("/register/", registration_form())
    assert deliver_due().sent >= 2  # the requests and the registrant's confirmation
    client.post("/register/", registration_form(email="second@gov.example", country="KE"))
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw-123456")
    staff = client.__class__()
    sign_in_with_second_factor(staff, editor)
    initiative = Initiative.objects.get(code="2105")
    form = admin_change_form(initiative, title="A title corrected by staff")
    response = staff.post(f"/admin/initiatives/initiative/{initiative.pk}/change/", form)
    assert response.status_code == 302
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent", "pending"}
    assert Initiative.history.filter(history_user=editor).exists()


def test_the_restore_drill(catalogue_in_use, tmp_path):
    before = snapshot()
    assert all(before.values()), "every compared table has rows"

    out = StringIO()
    call_command("backup_database", dir=str(tmp_path), stdout=out)
    (backup,) = archive.backups_in(tmp_path)
    assert f"Backup written: {backup}" in out.getvalue()
    with open(backup, "rb") as dump:
        assert dump.read(5) == b"PGDMP"  # pg_dump's custom format

    # Damage: a registration (with its items and e-mails) and initiatives deleted, titles
    # edited, an e-mail removed from the outbox, history rewritten.
    Registration.objects.filter(email="second@gov.example").delete()
    deleted = Initiative.objects.filter(code__in=["1103", "2105", "3211"]).delete()
    assert deleted[1]["initiatives.Initiative"] == 3
    Initiative.objects.filter(code__startswith="2").update(title="Overwritten by mistake")
    OutboundEmail.objects.filter(status="sent").first().delete()
    Initiative.history.filter(history_type="~").delete()
    assert differences(before, snapshot())

    call_command("restore_database", str(backup), yes=True, stdout=StringIO())
    after = snapshot()
    assert differences(before, after) == []
    assert after == before
    # The restored database works as before: pages, and the sequences (new rows get new ids).
    assert Initiative.objects.get(code="2105").title == "A title corrected by staff"
    created = Organization.objects.create(acronym="NEWORG", name="New Organization")
    assert created.pk > max(row[0] for row in before["initiatives_organization"])


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "not a backup"])
def test_a_damaged_backup_is_refused_and_changes_nothing(catalogue_in_use, tmp_path, damage):
    call_command("backup_database", dir=str(tmp_path), stdout=StringIO())
    (backup,) = archive.backups_in(tmp_path)
    content = backup.read_bytes()
    damaged = tmp_path / "damaged.dump"
    if damage == "truncated":
        damaged.write_bytes(content[: len(content) * 2 // 3])
    elif damage == "corrupted":
        middle = len(content) // 2
        damaged.write_bytes(content[:middle] + bytes(4096) + content[middle + 4096 :])
    else:
        damaged.write_text("initiatives.csv,not a dump\n")
    Initiative.objects.filter(code="1103").update(title="Changed after the backup")
    before = snapshot()

    with pytest.raises(CommandError, match="is damaged or incomplete|is not a readable backup"):
        call_command("restore_database", str(damaged), yes=True, stdout=StringIO())
    assert snapshot() == before
    assert Initiative.objects.get(code="1103").title == "Changed after the backup"


def test_a_missing_file_and_a_missing_confirmation_are_refused(catalogue_in_use, tmp_path):
    with pytest.raises(CommandError, match="No backup file at"):
        call_command("restore_database", str(tmp_path / "nothing.dump"), yes=True)
    call_command("backup_database", dir=str(tmp_path), stdout=StringIO())
    (backup,) = archive.backups_in(tmp_path)
    Initiative.objects.filter(code="1103").delete()
    result = subprocess.run(
        [sys.executable, "manage.py", "restore_database", str(backup)],
        cwd=ROOT,
        env=worker_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Not restoring without confirmation: give --yes" in result.stderr
    assert not Initiative.objects.filter(code="1103").exists()


def test_only_the_newest_backups_are_kept(db, tmp_path):
    for _ in range(3):
        call_command("backup_database", dir=str(tmp_path), keep=2, stdout=StringIO())
    names = [path.name for path in archive.backups_in(tmp_path)]
    assert len(names) == 2
    assert names == sorted(names)
    assert all(name.startswith("catalogue-") and name.endswith("Z.dump") for name in names)
    assert not list(tmp_path.glob("*.partial"))


def worker_environment() -> dict:
    """The environment of a manage.py process using the test database."""
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}


def test_restore_refuses_while_an_email_worker_runs(catalogue_in_use, tmp_path):
    call_command("backup_database", dir=str(tmp_path), stdout=StringIO())
    (backup,) = archive.backups_in(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_emails", "--interval", "0.2"],
        cwd=ROOT,
        env=worker_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not worker_holds_its_lock():
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker never took its lock"
            time.sleep(0.1)
        Initiative.objects.filter(code="1103").delete()
        with pytest.raises(CommandError, match="An e-mail worker .* is running"):
            call_command("restore_database", str(backup), yes=True, stdout=StringIO())
        assert not Initiative.objects.filter(code="1103").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    call_command("restore_database", str(backup), yes=True, stdout=StringIO())
    assert Initiative.objects.filter(code="1103").exists()


def worker_holds_its_lock() -> bool:
    key = WORKER_LOCK_KEY
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = %s",
            [key],
        )
        return cursor.fetchone()[0] > 0


def test_workers_pause_while_a_restore_holds_the_lock(db):
    restore, worker, probe = WorkerLock(), WorkerLock(), WorkerLock()
    try:
        assert restore.take_exclusively()
        assert not worker.hold_as_worker()  # the worker sends nothing this round
        restore.release()
        assert worker.hold_as_worker()
        assert not probe.take_exclusively()  # and now a restore would be refused
    finally:
        for lock in (restore, worker, probe):
            lock.release()
