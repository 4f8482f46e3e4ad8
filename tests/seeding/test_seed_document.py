"""The structured seed file: built from the source, faithful to it, attributions quoted."""

import copy
import json

import pytest
from django.conf import settings

from initiatives.seeding.seed_document import (
    CurationError,
    build_seed_document,
    dump_seed_document,
)

SOURCES = settings.SEEDS_DIR / "source"


@pytest.fixture(scope="module")
def curated():
    return json.loads((settings.SEEDS_DIR / "curated.json").read_text(encoding="utf-8"))


def test_the_committed_seed_file_is_what_the_builder_makes(parsed_source, curated):
    built = dump_seed_document(build_seed_document(parsed_source, curated, SOURCES))
    assert settings.SEED_FILE.read_text(encoding="utf-8") == built


def test_records_carry_the_source_text_verbatim(parsed_source, seed_document):
    records = {record["code"]: record for record in seed_document["initiatives"]}
    assert len(records) == 118
    for initiative in parsed_source.initiatives:
        record = records[initiative.code]
        assert record["description"] == [line.text for line in initiative.description]
        assert record["source_notes"] == [line.text for line in initiative.layout_remains]
        assert record["number"] == initiative.number
        assert record["sub_working_group"] == initiative.sub_working_group
        heading = initiative.heading.text
        assert record["title"] in heading, initiative.code
        if not initiative.title_organization_tag:
            assert heading == f"{initiative.number}: {record['title']}"
    assert records["2206A"]["title"] == "International Network for Legislation on Drugs (INLOD)"


def test_records_are_in_code_order_with_a_fixed_shape(seed_document):
    codes = [record["code"] for record in seed_document["initiatives"]]
    assert codes == sorted(codes)
    assert codes.index("2206") + 1 == codes.index("2206A")
    keys = {tuple(record) for record in seed_document["initiatives"]}
    assert keys == {
        (
            "code",
            "number",
            "sub_working_group",
            "title",
            "lead_organization",
            "partner_organizations",
            "attribution_evidence",
            "description",
            "source_notes",
        )
    }


def test_groups_and_organizations(seed_document):
    assert [g["name"] for g in seed_document["working_groups"]] == [
        "Preventing the illicit manufacture and trafficking of synthetic drugs",
        "Detecting emerging drug threats and use patterns",
        "Promoting public health interventions and services to prevent and reduce drug use, "
        "overdose, and other health related problems",
    ]
    assert [g["code"] for g in seed_document["sub_working_groups"]] == [
        "1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3",
    ]  # fmt: skip
    acronyms = {org["acronym"] for org in seed_document["organizations"]}
    assert len(acronyms) == 15
    assert {"INCB", "WCO", "OAS/CICAD", "UNODC", "WHO", "Colombo Plan"} <= acronyms
    # The source gives no websites or addresses: nothing is invented.
    assert all(
        org["website"] == "" and org["email"] == "" for org in seed_document["organizations"]
    )


def test_attributions_have_evidence_and_unattributed_stay_empty(seed_document):
    records = {record["code"]: record for record in seed_document["initiatives"]}
    attributed = [r for r in records.values() if r["lead_organization"]]
    assert len(attributed) == 55
    for record in records.values():
        if record["lead_organization"] or record["partner_organizations"]:
            assert "“" in record["attribution_evidence"], record["code"]
        else:
            assert record["attribution_evidence"] == "", record["code"]
    assert records["1101"]["lead_organization"] == "INCB"
    # One rule for all: an entry whose own text names who delivers it ("Colombo Plan trainers
    # utilize …", "Colombo Plan trainers provide …") is attributed to that organization.
    assert records["1110"]["lead_organization"] == records["2115"]["lead_organization"]
    assert records["2115"]["lead_organization"] == "Colombo Plan"
    assert records["1202"]["lead_organization"] == "WCO"  # Synthetic Drugs Detection Project
    assert "Entry 1204: “the Mail Channel component" in records["1202"]["attribution_evidence"]
    assert records["2205"]["lead_organization"] == "INCB"  # GRIDS
    assert records["2202"]["partner_organizations"] == ["INCB", "UPU", "WCO", "WHO"]
    assert records["2206"]["lead_organization"] == "OAS/CICAD"
    # A tool by an organization is not evidence that it runs the initiative.
    assert records["3204"]["lead_organization"] is None
    assert records["1103"]["lead_organization"] is None


def break_curation(curated, change):
    broken = copy.deepcopy(curated)
    change(broken)
    return broken


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["attributions"]["1101"].update(quote="INCB runs this"),
            "1101: the quote is not in this entry",
        ),
        (
            lambda c: c["attributions"]["1101"].update(lead="XYZ"),
            "1101: unknown organization 'XYZ'",
        ),
        (
            lambda c: c["attributions"]["2206A"].update(lead="WHO", quote="(INLOD)"),
            "2206A: the heading names 'UNODC' but the lead is 'WHO'",
        ),
        (
            lambda c: c["attributions"].update({"9999": {"lead": "WHO", "quote": "x"}}),
            "not in the source: ['9999']",
        ),
        (
            lambda c: c["organization_acronyms"].pop("Caricom"),
            "missing ['Caricom']",
        ),
        (
            lambda c: c["attributions"]["1202"].update(quote_in="003"),
            "neither an entry nor a source",
        ),
    ],
)
def test_curation_that_disagrees_with_the_source_is_refused(
    parsed_source, curated, change, message
):
    with pytest.raises(CurationError) as caught:
        build_seed_document(parsed_source, break_curation(curated, change), SOURCES)
    assert message in str(caught.value)
