"""Parse the Coalition's "Initiatives" page (seeds/source/001_*.txt) into structured records.

The page is plain text: an introduction, then ``Sub-Working Group X.Y - Name`` headings, each
followed by ``NNNN: Title`` headings and their description lines, and at the end the list of
implementing organizations, opened by a line holding only ``-``. Every line of the file gets
exactly one role (see ``ParsedSource.line_roles``), so a test can prove that nothing was lost,
merged or counted twice.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

SUB_WORKING_GROUP_HEADING = re.compile(
    r"^Sub-Working Group (?P<code>[1-3]\.[1-9]) - (?P<name>\S.*)$"
)
INITIATIVE_HEADING = re.compile(
    r"^(?P<number>[0-9]{4}): (?:(?P<code>[0-9]{4}[A-Z]): )?(?P<title>\S.*)$"
)
# A few headings carry the organization's acronym glued after the title's own parenthesised
# acronym: "International Network for Legislation on Drugs (INLOD) UNODC".
TITLE_ORGANIZATION_TAG = re.compile(r"^(?P<title>.*[)\]]) (?P<tag>[A-Z][A-Z/]+)$")
# Remains of the page's layout, not description: a pointer to a section that did not survive,
# and (under 3212) the "International Organization" / "Possible partners:" field block.
LAYOUT_LINES = frozenset({'For quotes use the section below "Point of Contact"'})
LAYOUT_BLOCK_START = "International Organization"
LAYOUT_BLOCK_LAST = re.compile(r"^Possible partners:")
ORGANIZATION_LIST_START = "-"
ORGANIZATION_LINE_SUFFIX = re.compile(r" -$")


class SourceParseError(ValueError):
    def __init__(self, path: Path | str, line: int, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        super().__init__(f"{path}, line {line}: {problem}")


@dataclass(frozen=True)
class SourceLine:
    number: int  # 1-based, as an editor shows it
    text: str


@dataclass
class ParsedSubWorkingGroup:
    code: str
    name: str
    heading: SourceLine


@dataclass
class ParsedInitiative:
    code: str
    number: str
    sub_working_group: str
    title: str
    heading: SourceLine
    title_organization_tag: str | None = None
    description: list[SourceLine] = field(default_factory=list)
    layout_remains: list[SourceLine] = field(default_factory=list)

    @property
    def text_lines(self) -> list[SourceLine]:
        """Every source line of the entry: heading, description and layout remains, in order."""
        return sorted([self.heading, *self.description, *self.layout_remains], key=_line_no)


@dataclass
class ParsedSource:
    path: Path
    lines: list[SourceLine]
    introduction: list[SourceLine]
    sub_working_groups: list[ParsedSubWorkingGroup]
    initiatives: list[ParsedInitiative]
    organization_list_marker: SourceLine
    organizations: list[tuple[str, SourceLine]]

    def line_roles(self) -> dict[int, list[str]]:
        """Each line number mapped to the roles it was given (exactly one when parsing is right)."""
        roles: dict[int, list[str]] = {line.number: [] for line in self.lines}
        for line in self.introduction:
            roles[line.number].append("introduction")
        for group in self.sub_working_groups:
            roles[group.heading.number].append("sub-working group heading")
        for initiative in self.initiatives:
            roles[initiative.heading.number].append(f"{initiative.code} heading")
            for line in initiative.description:
                roles[line.number].append(f"{initiative.code} description")
            for line in initiative.layout_remains:
                roles[line.number].append(f"{initiative.code} layout remains")
        roles[self.organization_list_marker.number].append("organization list marker")
        for _name, line in self.organizations:
            roles[line.number].append("organization")
        return roles


def _line_no(line: SourceLine) -> int:
    return line.number


def parse_source(path: Path | str) -> ParsedSource:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceParseError(path, 1, f"not UTF-8 text ({error.reason})") from error
    lines = [SourceLine(number, raw) for number, raw in enumerate(text.splitlines(), start=1)]
    if not lines:
        raise SourceParseError(path, 1, "the file is empty")

    marker_index = _organization_list_start(path, lines)
    body, organization_lines = lines[:marker_index], lines[marker_index + 1 :]

    introduction: list[SourceLine] = []
    groups: list[ParsedSubWorkingGroup] = []
    initiatives: list[ParsedInitiative] = []
    codes: dict[str, int] = {}
    in_layout_block = False

    for line in body:
        if not line.text.strip():
            raise SourceParseError(path, line.number, "blank line (the format has none)")
        if match := SUB_WORKING_GROUP_HEADING.match(line.text):
            code = match["code"]
            if any(group.code == code for group in groups):
                raise SourceParseError(path, line.number, f"sub-working group {code} appears twice")
            groups.append(ParsedSubWorkingGroup(code, match["name"], line))
            in_layout_block = False
            continue
        if not groups:
            introduction.append(line)
            continue
        if match := INITIATIVE_HEADING.match(line.text):
            initiative = _initiative_from_heading(path, line, match, groups[-1])
            if initiative.code in codes:
                raise SourceParseError(
                    path,
                    line.number,
                    f"duplicate initiative code {initiative.code} "
                    f"(first on line {codes[initiative.code]})",
                )
            codes[initiative.code] = line.number
            initiatives.append(initiative)
            in_layout_block = False
            continue
        if not initiatives or initiatives[-1].sub_working_group != groups[-1].code:
            raise SourceParseError(
                path, line.number, "text under a sub-working group heading before any initiative"
            )
        current = initiatives[-1]
        if line.text == LAYOUT_BLOCK_START:
            in_layout_block = True
        if in_layout_block or line.text in LAYOUT_LINES:
            current.layout_remains.append(line)
            if LAYOUT_BLOCK_LAST.match(line.text):
                in_layout_block = False
        else:
            current.description.append(line)

    for initiative in initiatives:
        if not initiative.description:
            raise SourceParseError(
                path, initiative.heading.number, f"initiative {initiative.code} has no description"
            )
    if not groups:
        raise SourceParseError(path, 1, "no 'Sub-Working Group X.Y - Name' heading found")

    organizations = []
    for line in organization_lines:
        name = ORGANIZATION_LINE_SUFFIX.sub("", line.text).strip()
        if not name:
            raise SourceParseError(path, line.number, "empty organization name")
        organizations.append((name, line))

    return ParsedSource(
        path=path,
        lines=lines,
        introduction=introduction,
        sub_working_groups=groups,
        initiatives=initiatives,
        organization_list_marker=lines[marker_index],
        organizations=organizations,
    )


def _organization_list_start(path: Path, lines: list[SourceLine]) -> int:
    markers = [i for i, line in enumerate(lines) if line.text == ORGANIZATION_LIST_START]
    if len(markers) != 1:
        raise SourceParseError(
            path,
            lines[markers[1]].number if len(markers) > 1 else len(lines),
            "expected exactly one line holding only '-' to open the organization list, "
            f"found {len(markers)}",
        )
    return markers[0]


def _initiative_from_heading(
    path: Path, line: SourceLine, match: re.Match, group: ParsedSubWorkingGroup
) -> ParsedInitiative:
    number = match["number"]
    code = match["code"] or number
    if not code.startswith(number):
        raise SourceParseError(path, line.number, f"code {code} does not extend number {number}")
    prefix = group.code.replace(".", "")
    if not number.startswith(prefix):
        raise SourceParseError(
            path,
            line.number,
            f"initiative {code} is under sub-working group {group.code}, "
            f"but its number does not start with {prefix}",
        )
    title, tag = match["title"].strip(), None
    if tag_match := TITLE_ORGANIZATION_TAG.match(title):
        title, tag = tag_match["title"], tag_match["tag"]
    return ParsedInitiative(
        code=code,
        number=number,
        sub_working_group=group.code,
        title=title,
        heading=line,
        title_organization_tag=tag,
    )
