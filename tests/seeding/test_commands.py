"""The seed commands (load_seeds, build_seed_file): clear reports, clear failures."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative
from tests.seeding.conftest import write_json

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_seeds_reports_its_counts(empty_catalogue):
    first = run("load_seeds")
    assert "118 created, 0 updated, 0 unchanged, 0 skipped" in first
    assert "Organizations created:" in first

    Initiative.objects.filter(code="3301").update(title="Edited")
    second = run("load_seeds")
    assert "0 created, 0 updated, 117 unchanged, 1 skipped" in second
    assert "Skipped (edited by staff since the last load; --force overwrites): 3301" in second

    forced = run("load_seeds", "--force")
    assert "0 created, 1 updated, 117 unchanged, 0 skipped" in forced


def test_load_seeds_fails_with_the_problem_and_writes_nothing(empty_catalogue, sample_seed):
    path, document = sample_seed
    document["initiatives"][1]["sub_working_group"] = "7.7"
    write_json(path, document)

    with pytest.raises(CommandError) as caught:
        call_command("load_seeds", "--file", str(path), stdout=StringIO())

    assert str(path) in str(caught.value)
    assert "unknown sub_working_group '7.7'" in str(caught.value)
    assert not Initiative.objects.exists()


def test_the_committed_seed_file_is_what_the_builder_makes():
    assert "is up to date" in run("build_seed_file", "--check")
