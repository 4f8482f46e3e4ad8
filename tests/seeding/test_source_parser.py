"""The parser on the real source page, and on broken pages."""

import re
from collections import Counter

import pytest

from initiatives.description import is_bullet
from initiatives.seeding.source_parser import SourceParseError, parse_source

EXPECTED_PER_GROUP = {"1.1": 16, "1.2": 15, "2.1": 21, "2.2": 15, "3.1": 16, "3.2": 26, "3.3": 9}


def test_finds_all_118_initiatives_in_their_seven_sub_working_groups(parsed_source):
    counts = Counter(initiative.sub_working_group for initiative in parsed_source.initiatives)
    assert dict(counts) == EXPECTED_PER_GROUP
    assert len(parsed_source.initiatives) == 118
    assert [group.code for group in parsed_source.sub_working_groups] == list(EXPECTED_PER_GROUP)
    assert parsed_source.sub_working_groups[6].name == (
        "Addressing Populations in Contact with the Criminal Justice System, including "
        "Alternatives to Incarceration"
    )


def test_every_heading_of_the_source_becomes_one_initiative(parsed_source, source_lines):
    headings = [line for line in source_lines if re.match(r"^\d{4}: ", line)]
    assert len(headings) == 118
    assert [i.heading.text for i in parsed_source.initiatives] == headings


def test_both_2206_entries_are_distinct_initiatives(parsed_source):
    by_code = {initiative.code: initiative for initiative in parsed_source.initiatives}
    first, second = by_code["2206A"], by_code["2206"]
    assert first.number == second.number == "2206"
    assert first.title == "International Network for Legislation on Drugs (INLOD)"
    assert first.title_organization_tag == "UNODC"
    assert second.title == (
        "International Network for Legislation on Drugs – Latin America and the Caribbean "
        "(INLOD-LAC)"
    )
    assert second.title_organization_tag == "OAS/CICAD"
    assert first.description[0].text.startswith("While addressing the illicit manufacture")
    assert len(second.description) == 2
    # Only those two headings carry an organization tag.
    tagged = [i.code for i in parsed_source.initiatives if i.title_organization_tag]
    assert tagged == ["2206A", "2206"]


def test_every_line_of_the_source_has_exactly_one_role(parsed_source, source_lines):
    roles = parsed_source.line_roles()
    assert sorted(roles) == list(range(1, len(source_lines) + 1))
    assert {number: r for number, r in roles.items() if len(r) != 1} == {}
    kinds = Counter(r[0].split(" ", 1)[-1] if r[0][0].isdigit() else r[0] for r in roles.values())
    assert kinds["heading"] == 118
    assert kinds["sub-working group heading"] == 7
    assert kinds["organization"] == 15
    assert kinds["introduction"] == 5
    assert kinds["layout remains"] == 5


def test_descriptions_are_the_source_lines_verbatim_and_in_order(parsed_source, source_lines):
    """Each description is exactly the lines between its heading and the next, minus layout."""
    starts = [i.heading.number for i in parsed_source.initiatives]
    ends = [*starts[1:], parsed_source.organization_list_marker.number]
    group_headings = {group.heading.number for group in parsed_source.sub_working_groups}
    for initiative, start, end in zip(parsed_source.initiatives, starts, ends, strict=True):
        expected = [
            source_lines[n - 1]
            for n in range(start + 1, end)
            if n not in group_headings
            and n not in {line.number for line in initiative.layout_remains}
        ]
        assert [line.text for line in initiative.description] == expected, initiative.code
    total = sum(len(i.description) for i in parsed_source.initiatives)
    assert total == 376 - 5 - 7 - 118 - 5 - 16


def test_layout_remains_are_kept_out_of_descriptions(parsed_source):
    by_code = {initiative.code: initiative for initiative in parsed_source.initiatives}
    assert [line.text for line in by_code["3107"].layout_remains] == [
        'For quotes use the section below "Point of Contact"'
    ]
    remains_3212 = [line.text for line in by_code["3212"].layout_remains]
    assert remains_3212[0] == "International Organization"
    assert remains_3212[-1].startswith("Possible partners: Member States")
    assert len(remains_3212) == 4
    for initiative in parsed_source.initiatives:
        texts = [line.text for line in initiative.description]
        assert "International Organization" not in texts
        assert not any("Point of Contact" in text for text in texts)
    assert by_code["3212"].description[-1].text.startswith("There is an urgent need")


def test_bullets_stay_bullets(parsed_source):
    by_code = {initiative.code: initiative for initiative in parsed_source.initiatives}
    bullets_2101 = [line.text for line in by_code["2101"].description if is_bullet(line.text)]
    assert len(bullets_2101) == 6
    assert bullets_2101[0] == (
        "- The creation of an inventory of forensic laboratories in Latin America and the "
        "Caribbean (LAC)."
    )
    # The one "•" bullet of the page (under 3307) is kept with its own marker, not merged.
    bullets_3307 = [line.text for line in by_code["3307"].description if is_bullet(line.text)]
    assert [text[0] for text in bullets_3307] == ["-", "-", "•", "-"]
    assert all(is_bullet(line.text) for line in by_code["2117"].description)


def test_the_organization_list_has_the_fifteen_organizations(parsed_source):
    names = [name for name, _line in parsed_source.organizations]
    assert len(names) == 15
    assert names[0] == "Africa Union"
    assert "International Narcotics Control Board" in names
    assert names[-1] == "World Health Organization"
    assert all(not name.endswith("-") for name in names)


def test_the_introduction_is_not_an_initiative(parsed_source):
    assert parsed_source.introduction[0].text == "Initiatives"
    assert "SyntheticsCoalition [at] state [dot] gov" in parsed_source.introduction[-1].text


GOOD_PAGE = """Intro line
Sub-Working Group 1.1 - Manufacturing
1101: First title
First paragraph.
- a bullet
Sub-Working Group 1.2 - Trafficking
1201: Second title
Second paragraph.
-
Some Organization -
Last Organization"""


def write_page(tmp_path, text):
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_well_formed_page_parses(tmp_path):
    parsed = parse_source(write_page(tmp_path, GOOD_PAGE))
    assert [(i.code, i.sub_working_group, i.title) for i in parsed.initiatives] == [
        ("1101", "1.1", "First title"),
        ("1201", "1.2", "Second title"),
    ]
    assert [line.text for line in parsed.initiatives[0].description] == [
        "First paragraph.",
        "- a bullet",
    ]
    assert [name for name, _ in parsed.organizations] == ["Some Organization", "Last Organization"]


@pytest.mark.parametrize(
    ("change", "line", "problem"),
    [
        (
            lambda t: t.replace("- a bullet\n", "- a bullet\n1101: Again\nText.\n"),
            6,
            "duplicate initiative code 1101 (first on line 3)",
        ),
        (lambda t: t.replace("First paragraph.\n", "First paragraph.\n\n"), 5, "blank line"),
        (lambda t: t.replace("1101: First title\n", ""), 3, "before any initiative"),
        (lambda t: t.replace("1201: Second", "1301: Second"), 7, "does not start with 12"),
        (lambda t: t.replace("\n-\n", "\n"), 10, "exactly one line holding only '-'"),
        (lambda t: t.replace("Second paragraph.\n", ""), 7, "1201 has no description"),
        (lambda t: t.replace("Sub-Working Group 1.2", "Sub-Working Group 1.1"), 6, "appears twice"),
    ],
)
def test_a_broken_page_is_refused_with_its_line(tmp_path, change, line, problem):
    path = write_page(tmp_path, change(GOOD_PAGE))
    with pytest.raises(SourceParseError) as caught:
        parse_source(path)
    assert caught.value.line == line
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)
