"""Load the structured seed file into the database, idempotently and all-or-nothing.

A record is written only when the database still holds what the previous load wrote (its
fingerprint matches), so an initiative that staff edited in the admin is left alone unless the
load is forced. The whole file is validated before anything is written, and the writes run in
one transaction: bad input leaves the database as it was.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, transaction

from ..codes import CODE_PATTERN, NUMBER_PATTERN, SUB_WORKING_GROUP_CODE_PATTERN
from ..models import Initiative, Organization, SubWorkingGroup, WorkingGroup
from .exporter import initiative_record

RECORD_KEYS = {
    "code": str,
    "number": str,
    "sub_working_group": str,
    "title": str,
    "lead_organization": (str, type(None)),
    "partner_organizations": list,
    "attribution_evidence": str,
    "description": list,
    "source_notes": list,
}
SECTIONS = ("working_groups", "sub_working_groups", "organizations", "initiatives")


class SeedError(Exception):
    """The seed file cannot be loaded; nothing was written."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path, self.problems = str(path), problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{path}: not loaded, nothing was written. {len(problems)} problem(s):\n{listing}"
        )


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    organizations_created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
        )


def fingerprint(record: dict) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_seed_document(path: Path | str) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SeedError(path, ["the file does not exist"]) from error
    except UnicodeDecodeError as error:
        raise SeedError(path, [f"not UTF-8 text (byte {error.start})"]) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SeedError(
            path, [f"line {error.lineno}, column {error.colno}: malformed JSON ({error.msg})"]
        ) from error
    problems = validate_seed_document(document, _record_lines(text))
    if problems:
        raise SeedError(path, problems)
    return document


def _record_lines(text: str) -> list[int]:
    """Line numbers of the initiative records' "code" keys, to point errors at a line."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line.strip().startswith('"initiatives"')), None
    )
    if start is None:
        return []
    return [
        i + 1 for i, line in enumerate(lines[start:], start=start) if re.match(r'\s*"code":', line)
    ]


def validate_seed_document(document, record_lines: list[int] | None = None) -> list[str]:
    if not isinstance(document, dict):
        return ["the top level must be an object with " + ", ".join(SECTIONS)]
    problems = [f"missing section {name!r}" for name in SECTIONS if name not in document]
    problems += [
        f"section {name!r} must be a list"
        for name in SECTIONS
        if name in document and not isinstance(document[name], list)
    ]
    problems += [f"unknown section {name!r}" for name in document if name not in SECTIONS]
    if problems:
        return problems

    group_numbers = _validate_working_groups(document["working_groups"], problems)
    group_codes = _validate_sub_working_groups(
        document["sub_working_groups"], group_numbers, problems
    )
    acronyms = _validate_organizations(document["organizations"], problems)
    seen: dict[str, str] = {}
    for index, record in enumerate(document["initiatives"], start=1):
        line = record_lines[index - 1] if record_lines and index <= len(record_lines) else None
        where = f"initiative record {index}"
        if isinstance(record, dict) and isinstance(record.get("code"), str):
            where += f" (code {record['code']})"
        if line:
            where = f"line {line}, {where}"
        problems += [f"{where}: {p}" for p in _record_problems(record, group_codes, acronyms)]
        if isinstance(record, dict) and isinstance(record.get("code"), str):
            code = record["code"]
            if code in seen:
                problems.append(f"{where}: duplicate code {code} (also {seen[code]})")
            seen.setdefault(code, where)
    return problems


def _validate_working_groups(groups: list, problems: list[str]) -> set[int]:
    numbers: set[int] = set()
    for index, group in enumerate(groups, start=1):
        where = f"working group {index}"
        if not isinstance(group, dict) or set(group) != {"number", "name"}:
            problems.append(f"{where}: must be an object with number and name")
            continue
        if not isinstance(group["number"], int) or not 1 <= group["number"] <= 3:
            problems.append(f"{where}: number must be 1, 2 or 3, not {group['number']!r}")
        elif group["number"] in numbers:
            problems.append(f"{where}: duplicate number {group['number']}")
        else:
            numbers.add(group["number"])
        if not isinstance(group["name"], str) or not group["name"].strip():
            problems.append(f"{where}: name must be a non-empty text")
    return numbers


def _validate_sub_working_groups(groups: list, numbers: set[int], problems: list[str]) -> set[str]:
    codes: set[str] = set()
    for index, group in enumerate(groups, start=1):
        where = f"sub-working group {index}"
        if not isinstance(group, dict) or set(group) != {"code", "working_group", "name"}:
            problems.append(f"{where}: must be an object with code, working_group and name")
            continue
        code = group["code"]
        if not isinstance(code, str) or not re.fullmatch(SUB_WORKING_GROUP_CODE_PATTERN, code):
            problems.append(f"{where}: code must look like 1.1, not {code!r}")
            continue
        if code in codes:
            problems.append(f"{where}: duplicate code {code}")
        codes.add(code)
        if group["working_group"] not in numbers:
            problems.append(f"{where} ({code}): unknown working group {group['working_group']!r}")
        elif int(code[0]) != group["working_group"]:
            problems.append(
                f"{where} ({code}): code does not belong to working group {group['working_group']}"
            )
        if not isinstance(group["name"], str) or not group["name"].strip():
            problems.append(f"{where} ({code}): name must be a non-empty text")
    return codes


def _validate_organizations(organizations: list, problems: list[str]) -> set[str]:
    acronyms: set[str] = set()
    names: set[str] = set()
    for index, org in enumerate(organizations, start=1):
        where = f"organization {index}"
        if not isinstance(org, dict) or set(org) != {"acronym", "name", "website", "email"}:
            problems.append(f"{where}: must be an object with acronym, name, website and email")
            continue
        if not all(isinstance(org[key], str) for key in org):
            problems.append(f"{where}: every value must be text")
            continue
        acronym, name = org["acronym"].strip(), org["name"].strip()
        where += f" ({acronym or name})"
        if not acronym or not name:
            problems.append(f"{where}: acronym and name must not be empty")
        if acronym in acronyms:
            problems.append(f"{where}: duplicate acronym {acronym}")
        if name in names:
            problems.append(f"{where}: duplicate name {name}")
        acronyms.add(acronym)
        names.add(name)
        for key, validator in (("website", URLValidator()), ("email", EmailValidator())):
            if org[key]:
                try:
                    validator(org[key])
                except ValidationError:
                    problems.append(f"{where}: {key} {org[key]!r} is not valid")
    return acronyms


def _record_problems(record, group_codes: set[str], acronyms: set[str]) -> list[str]:
    if not isinstance(record, dict):
        return ["must be an object"]
    problems = [f"missing field {key!r}" for key in RECORD_KEYS if key not in record]
    problems += [f"unknown field {key!r}" for key in record if key not in RECORD_KEYS]
    problems += [
        f"field {key!r} has the wrong type ({type(record[key]).__name__})"
        for key, kind in RECORD_KEYS.items()
        if key in record and not isinstance(record[key], kind)
    ]
    if problems:
        return problems
    code, number, group = record["code"], record["number"], record["sub_working_group"]
    if not re.fullmatch(CODE_PATTERN, code):
        problems.append(f"code {code!r} must be four digits and an optional capital letter")
    if not re.fullmatch(NUMBER_PATTERN, number):
        problems.append(f"number {number!r} must be four digits")
    elif not code.startswith(number):
        problems.append(f"code {code} does not start with its number {number}")
    if group not in group_codes:
        problems.append(f"unknown sub_working_group {group!r}")
    elif not number.startswith(group.replace(".", "")):
        problems.append(f"number {number} does not belong to sub-working group {group}")
    if not record["title"].strip():
        problems.append("title is empty")
    elif "\n" in record["title"]:
        problems.append("title must be one line")
    lead, partners = record["lead_organization"], record["partner_organizations"]
    if lead is not None and lead not in acronyms:
        problems.append(f"unknown lead_organization {lead!r}")
    for partner in partners:
        if partner not in acronyms:
            problems.append(f"unknown partner organization {partner!r}")
    if len(set(map(str, partners))) != len(partners):
        problems.append("partner_organizations lists an organization twice")
    if lead is not None and lead in partners:
        problems.append(f"{lead} is both lead and partner")
    if (lead is not None or partners) and not record["attribution_evidence"].strip():
        problems.append("an attributed organization needs attribution_evidence")
    description = record["description"]
    if not description:
        problems.append("description is empty")
    for position, paragraph in enumerate(description, start=1):
        if not isinstance(paragraph, str) or not paragraph.strip() or "\n" in paragraph:
            problems.append(f"description paragraph {position} must be one non-empty line of text")
    if not all(isinstance(note, str) for note in record["source_notes"]):
        problems.append("source_notes must be a list of texts")
    return problems


def load_seed_file(path: Path | str, *, force: bool = False) -> LoadReport:
    document = read_seed_document(path)
    report = LoadReport()
    try:
        with transaction.atomic():
            _load(document, report, force=force)
    except DatabaseError as error:
        raise SeedError(path, [f"the database refused the data: {error}".strip()]) from error
    return report


def _load(document: dict, report: LoadReport, *, force: bool) -> None:
    groups = {}
    for item in document["working_groups"]:
        groups[item["number"]], _ = WorkingGroup.objects.update_or_create(
            number=item["number"], defaults={"name": item["name"]}
        )
    sub_groups = {}
    for item in document["sub_working_groups"]:
        sub_groups[item["code"]], _ = SubWorkingGroup.objects.update_or_create(
            code=item["code"],
            defaults={"working_group": groups[item["working_group"]], "name": item["name"]},
        )
    organizations = {org.acronym: org for org in Organization.objects.all()}
    for item in document["organizations"]:
        # Staff own organizations once they exist (websites, contact addresses).
        if item["acronym"] not in organizations:
            organizations[item["acronym"]] = Organization.objects.create(**item)
            report.organizations_created.append(item["acronym"])

    existing = {
        initiative.code: initiative
        for initiative in Initiative.objects.select_related(
            "sub_working_group", "lead_organization"
        ).prefetch_related("partner_organizations")
    }
    for record in document["initiatives"]:
        wanted = fingerprint(record)
        initiative = existing.get(record["code"])
        if initiative is None:
            initiative = Initiative(code=record["code"])
            _apply(initiative, record, wanted, sub_groups, organizations)
            report.created.append(record["code"])
            continue
        current = fingerprint(initiative_record(initiative))
        if current == wanted:
            if initiative.seed_fingerprint != wanted:
                Initiative.objects.filter(pk=initiative.pk).update(seed_fingerprint=wanted)
            report.unchanged.append(record["code"])
        elif force or initiative.seed_fingerprint == current:
            _apply(initiative, record, wanted, sub_groups, organizations)
            report.updated.append(record["code"])
        else:
            report.skipped.append(record["code"])
    if not existing:
        # The founding list (the Coalition's page) was there from the catalogue's start: it is
        # not "new", and alerts and feeds count what is published after it.
        Initiative.objects.filter(code__in=report.created).update(published_at=None)


def _apply(initiative, record, wanted, sub_groups, organizations) -> None:
    initiative.number = record["number"]
    initiative.sub_working_group = sub_groups[record["sub_working_group"]]
    initiative.title = record["title"]
    initiative.description = "\n".join(record["description"])
    lead = record["lead_organization"]
    initiative.lead_organization = organizations[lead] if lead else None
    initiative.attribution_evidence = record["attribution_evidence"]
    initiative.source_notes = record["source_notes"]
    initiative.seed_fingerprint = wanted
    initiative.save()
    initiative.partner_organizations.set(
        [organizations[acronym] for acronym in record["partner_organizations"]]
    )
