"""load_seeds: idempotent, protects staff edits, and all-or-nothing on bad input."""

import copy
import json

import pytest
from django.conf import settings
from django.db.models import Count

from initiatives.models import Initiative, Organization, SubWorkingGroup, WorkingGroup
from initiatives.seeding.loader import SeedError, load_seed_file
from tests.seeding.conftest import write_json

pytestmark = pytest.mark.django_db


def database_snapshot() -> dict:
    """Everything the loader writes, in a comparable form."""
    return {
        "groups": list(WorkingGroup.objects.values_list("number", "name")),
        "sub_groups": list(SubWorkingGroup.objects.values_list("code", "name")),
        "organizations": list(Organization.objects.values_list("acronym", "name", "email")),
        "initiatives": list(
            Initiative.objects.order_by("code").values_list(
                "code", "title", "description", "lead_organization__acronym", "seed_fingerprint"
            )
        ),
    }


def test_the_real_seed_file_loads_every_initiative(empty_catalogue):
    report = load_seed_file(settings.SEED_FILE)
    assert len(report.created) == 118
    assert Initiative.objects.count() == 118
    per_group = dict(
        SubWorkingGroup.objects.annotate(count=Count("initiatives")).values_list("code", "count")
    )
    assert per_group == {
        "1.1": 16,
        "1.2": 15,
        "2.1": 21,
        "2.2": 15,
        "3.1": 16,
        "3.2": 26,
        "3.3": 9,
    }
    assert Initiative.objects.filter(code__in=["2206A", "2206"]).count() == 2
    assert Initiative.objects.exclude(lead_organization=None).count() == 55
    assert Organization.objects.count() == 15


def test_a_second_load_changes_nothing(catalogue):
    before = database_snapshot()
    stamps = dict(Initiative.objects.values_list("code", "updated_at"))

    report = load_seed_file(settings.SEED_FILE)

    assert (len(report.created), len(report.updated), len(report.skipped)) == (0, 0, 0)
    assert len(report.unchanged) == 118
    assert database_snapshot() == before
    # Not even re-saved: the timestamps staff see stay as they were.
    assert dict(Initiative.objects.values_list("code", "updated_at")) == stamps


def test_a_staff_edit_survives_a_reload_unless_forced(catalogue):
    initiative = Initiative.objects.get(code="1101")
    seeded_title = initiative.title
    initiative.title = "Edited by the secretariat"
    initiative.save()

    report = load_seed_file(settings.SEED_FILE)
    assert report.skipped == ["1101"]
    assert len(report.unchanged) == 117
    assert Initiative.objects.get(code="1101").title == "Edited by the secretariat"

    report = load_seed_file(settings.SEED_FILE, force=True)
    assert report.updated == ["1101"]
    assert Initiative.objects.get(code="1101").title == seeded_title


def test_a_staff_edit_of_partner_organizations_is_protected_too(catalogue):
    initiative = Initiative.objects.get(code="2105")
    initiative.partner_organizations.add(Organization.objects.get(acronym="WHO"))
    initiative.attribution_evidence = "Confirmed by WHO by e-mail."
    initiative.save()

    report = load_seed_file(settings.SEED_FILE)

    assert report.skipped == ["2105"]
    assert list(initiative.partner_organizations.values_list("acronym", flat=True)) == ["WHO"]


def test_a_changed_seed_record_updates_an_unedited_initiative(empty_catalogue, sample_seed):
    path, document = sample_seed
    load_seed_file(path)
    document["initiatives"][0]["description"].append("A paragraph added to the source.")
    write_json(path, document)

    report = load_seed_file(path)

    assert report.updated == ["1101"]
    assert report.unchanged == ["2105", "2206A", "3212"]
    assert Initiative.objects.get(code="1101").description.endswith(
        "\nA paragraph added to the source."
    )


def test_organizations_that_staff_completed_are_not_overwritten(empty_catalogue, sample_seed):
    path, _ = sample_seed
    load_seed_file(path)
    Organization.objects.filter(acronym="INCB").update(email="secretariat@incb.org")

    load_seed_file(path)

    assert Organization.objects.get(acronym="INCB").email == "secretariat@incb.org"


def test_descriptions_keep_every_paragraph_and_bullet_in_order(catalogue, seed_document):
    for record in seed_document["initiatives"]:
        stored = Initiative.objects.get(code=record["code"])
        assert stored.description.split("\n") == record["description"], record["code"]
        assert stored.title == record["title"]


# --- bad input: a clear error naming the file and place, and nothing written ----------------


def broken(document: dict, change) -> dict:
    document = copy.deepcopy(document)
    change(document)
    return document


def set_field(index, key, value):
    def change(document):
        document["initiatives"][index][key] = value

    return change


def drop_field(index, key):
    def change(document):
        del document["initiatives"][index][key]

    return change


def duplicate_first_code(document):
    document["initiatives"][1]["code"] = document["initiatives"][0]["code"]
    document["initiatives"][1]["number"] = document["initiatives"][0]["number"]
    document["initiatives"][1]["sub_working_group"] = "1.1"


BAD_DOCUMENTS = [
    pytest.param(
        set_field(1, "sub_working_group", "4.1"),
        ["initiative record 2 (code 2105)", "unknown sub_working_group '4.1'"],
        id="unknown-sub-working-group",
    ),
    pytest.param(
        duplicate_first_code,
        ["initiative record 2 (code 1101)", "duplicate code 1101"],
        id="duplicate-code",
    ),
    pytest.param(
        set_field(2, "lead_organization", "NATO"),
        ["initiative record 3 (code 2206A)", "unknown lead_organization 'NATO'"],
        id="unknown-lead-organization",
    ),
    pytest.param(
        set_field(3, "partner_organizations", ["WHO", "XYZ"]),
        ["code 3212", "unknown partner organization 'XYZ'"],
        id="unknown-partner",
    ),
    pytest.param(
        drop_field(0, "title"), ["code 1101", "missing field 'title'"], id="missing-field"
    ),
    pytest.param(
        set_field(0, "description", []), ["code 1101", "description is empty"], id="no-description"
    ),
    pytest.param(
        set_field(0, "attribution_evidence", ""),
        ["code 1101", "an attributed organization needs attribution_evidence"],
        id="lead-without-evidence",
    ),
    pytest.param(
        set_field(0, "code", "11O1"),
        ["must be four digits and an optional capital letter"],
        id="malformed-code",
    ),
    pytest.param(
        set_field(0, "number", "2101"),
        ["code 1101 does not start with its number 2101"],
        id="code-number-mismatch",
    ),
    pytest.param(
        set_field(0, "title", 42), ["field 'title' has the wrong type (int)"], id="wrong-type"
    ),
]


@pytest.mark.parametrize(("change", "expected"), BAD_DOCUMENTS)
def test_bad_records_stop_the_load_and_name_the_problem(
    empty_catalogue, sample_seed, change, expected
):
    path, document = sample_seed
    write_json(path, broken(document, change))

    with pytest.raises(SeedError) as caught:
        load_seed_file(path)

    message = str(caught.value)
    assert str(path) in message
    assert "nothing was written" in message
    for fragment in expected:
        assert fragment in message
    # The record is located by its line in the file, not only by its position.
    assert "line " in message
    assert Initiative.objects.count() == 0
    assert Organization.objects.count() == 0
    assert WorkingGroup.objects.count() == 0


def test_the_error_points_at_the_line_of_the_bad_record(empty_catalogue, sample_seed):
    path, document = sample_seed
    write_json(path, broken(document, set_field(2, "sub_working_group", "9.9")))
    code_lines = [
        number
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.strip().startswith('"code": "2206A"')
    ]

    with pytest.raises(SeedError) as caught:
        load_seed_file(path)

    assert f"line {code_lines[0]}, initiative record 3 (code 2206A)" in str(caught.value)


def test_every_problem_is_reported_at_once(empty_catalogue, sample_seed):
    path, document = sample_seed
    document = broken(document, set_field(0, "sub_working_group", "4.4"))
    document = broken(document, set_field(3, "lead_organization", "ACME"))
    write_json(path, document)

    with pytest.raises(SeedError) as caught:
        load_seed_file(path)

    assert len(caught.value.problems) == 2


def test_malformed_json_names_line_and_column(empty_catalogue, sample_seed):
    path, _ = sample_seed
    lines = path.read_text().splitlines()
    assert lines[7].strip() == '"number": 2,'
    lines[7] = lines[7].rstrip(",")  # drop the comma between two keys
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(SeedError) as caught:
        load_seed_file(path)

    assert str(path) in str(caught.value)
    assert "line 9, column" in str(caught.value)
    assert "malformed JSON" in str(caught.value)
    assert Initiative.objects.count() == 0


def test_a_missing_file_and_non_utf8_text_are_clear_errors(empty_catalogue, tmp_path):
    with pytest.raises(SeedError, match="does not exist"):
        load_seed_file(tmp_path / "absent.json")
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"title": "Prévention"}'.encode("latin-1"))
    with pytest.raises(SeedError, match="not UTF-8"):
        load_seed_file(latin1)


def test_a_broken_section_is_refused(empty_catalogue, sample_seed):
    path, document = sample_seed
    document["sub_working_groups"].append(
        {"code": "2.9", "working_group": 1, "name": "Misplaced group"}
    )
    document["organizations"].append(
        {"acronym": "INCB", "name": "Another", "website": "not a url", "email": ""}
    )
    write_json(path, document)

    with pytest.raises(SeedError) as caught:
        load_seed_file(path)

    message = str(caught.value)
    assert "(2.9): code does not belong to working group 1" in message
    assert "duplicate acronym INCB" in message
    assert "website 'not a url' is not valid" in message
    assert WorkingGroup.objects.count() == 0


def test_a_failure_inside_the_database_rolls_back_the_whole_load(empty_catalogue, sample_seed):
    path, document = sample_seed
    load_seed_file(path)
    before = database_snapshot()
    # Valid JSON, refused only by the database (longer than the title column): the first
    # three records would be written before the fourth fails.
    document["initiatives"][0]["description"].append("A new paragraph.")
    document["initiatives"][3]["title"] = "x" * 501
    write_json(path, document)

    with pytest.raises(SeedError) as caught:
        load_seed_file(path)

    assert "the database refused the data" in str(caught.value)
    assert database_snapshot() == before


def test_the_sample_fixture_is_the_real_seed_for_its_initiatives(seed_document, sample_seed):
    _, sample = sample_seed
    real = {record["code"]: record for record in seed_document["initiatives"]}
    for record in sample["initiatives"]:
        assert record == real[record["code"]]
    assert sample["organizations"] == seed_document["organizations"]


def test_load_is_json_faithful_for_non_ascii_text(empty_catalogue, sample_seed):
    path, document = sample_seed
    document["initiatives"][0]["description"] = ["Prévention – “quotes” • 中文"]
    write_json(path, document)
    load_seed_file(path)
    assert Initiative.objects.get(code="1101").description == "Prévention – “quotes” • 中文"
    assert json.loads(path.read_text())["initiatives"][0]["code"] == "1101"
