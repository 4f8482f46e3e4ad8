"""export_initiatives writes the seed format: load then export reproduces the seed file exactly."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from initiatives.models import Initiative
from initiatives.seeding.loader import load_seed_file

pytestmark = pytest.mark.django_db


def export_to_stdout() -> str:
    out = StringIO()
    call_command("export_initiatives", stdout=out)
    return out.getvalue()


def test_load_then_export_reproduces_the_seed_file_byte_for_byte(catalogue):
    assert export_to_stdout() == settings.SEED_FILE.read_text(encoding="utf-8")


def test_export_to_a_file(catalogue, tmp_path):
    target = tmp_path / "export.json"
    err = StringIO()

    call_command("export_initiatives", output=target, stderr=err)

    assert target.read_text(encoding="utf-8") == settings.SEED_FILE.read_text(encoding="utf-8")
    assert str(target) in err.getvalue()


def test_an_export_reloads_into_an_equal_catalogue(empty_catalogue, sample_seed, tmp_path):
    path, _ = sample_seed
    load_seed_file(path)
    exported = tmp_path / "exported.json"
    call_command("export_initiatives", output=exported, stderr=StringIO())

    assert exported.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_the_export_carries_staff_edits(catalogue):
    Initiative.objects.filter(code="3212").update(title="Retitled by staff")

    document = json.loads(export_to_stdout())

    record = next(r for r in document["initiatives"] if r["code"] == "3212")
    assert record["title"] == "Retitled by staff"
    assert len(document["initiatives"]) == 118
