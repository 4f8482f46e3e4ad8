"""The structured seed file (seeds/initiatives.json): how it is built from the source and written.

``build_seed_document`` joins the parsed source page with the hand-curated facts in
``seeds/curated.json`` (working group names, organization acronyms, attributions with their
evidence). Every attribution quote is checked against the text it cites, so evidence cannot
drift from the source. ``dump_seed_document`` is the one serialization used both here and by
the exporter, which is what makes load -> export reproduce the file byte for byte.
"""

import json
from pathlib import Path

from .source_parser import ParsedInitiative, ParsedSource

SOURCE_FILENAME = "001_e8db885615b5ffaa.txt"
# Other source documents an attribution may cite by their number.
CITABLE_SOURCES = {"002": "002_0842bd3bf425abbb.txt"}


class CurationError(ValueError):
    """The curated file does not agree with the source."""


def dump_seed_document(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def initiative_seed_record(
    *,
    code: str,
    number: str,
    sub_working_group: str,
    title: str,
    lead_organization: str | None,
    partner_organizations: list[str],
    attribution_evidence: str,
    description: list[str],
    source_notes: list[str],
) -> dict:
    """One initiative as the seed file holds it; the single place that fixes key order."""
    return {
        "code": code,
        "number": number,
        "sub_working_group": sub_working_group,
        "title": title,
        "lead_organization": lead_organization,
        "partner_organizations": sorted(partner_organizations),
        "attribution_evidence": attribution_evidence,
        "description": description,
        "source_notes": source_notes,
    }


def build_seed_document(parsed: ParsedSource, curated: dict, sources_dir: Path) -> dict:
    acronyms: dict[str, str] = curated["organization_acronyms"]
    listed = [name for name, _line in parsed.organizations]
    if sorted(acronyms) != sorted(listed):
        raise CurationError(
            "organization_acronyms must name exactly the organizations listed in the source; "
            f"missing {sorted(set(listed) - set(acronyms))}, "
            f"not in the source {sorted(set(acronyms) - set(listed))}"
        )
    known = set(acronyms.values())
    by_code = {initiative.code: initiative for initiative in parsed.initiatives}
    attributions: dict[str, dict] = curated["attributions"]
    unknown_codes = sorted(set(attributions) - set(by_code))
    if unknown_codes:
        raise CurationError(f"attributions for initiatives not in the source: {unknown_codes}")

    records = []
    for initiative in sorted(parsed.initiatives, key=lambda item: item.code):
        attribution = attributions.get(initiative.code)
        lead, partners, evidence = None, [], ""
        if attribution:
            lead, partners = attribution["lead"], attribution.get("partners", [])
            for acronym in [lead, *partners]:
                if acronym not in known:
                    raise CurationError(f"{initiative.code}: unknown organization {acronym!r}")
            evidence = _evidence(initiative, attribution, by_code, sources_dir)
        tag = initiative.title_organization_tag
        if tag and tag != lead:
            raise CurationError(
                f"{initiative.code}: the heading names {tag!r} but the lead is {lead!r}"
            )
        records.append(
            initiative_seed_record(
                code=initiative.code,
                number=initiative.number,
                sub_working_group=initiative.sub_working_group,
                title=initiative.title,
                lead_organization=lead,
                partner_organizations=partners,
                attribution_evidence=evidence,
                description=[line.text for line in initiative.description],
                source_notes=[line.text for line in initiative.layout_remains],
            )
        )

    groups = {group["number"]: group["name"] for group in curated["working_groups"]}
    return {
        "working_groups": [{"number": n, "name": groups[n]} for n in sorted(groups)],
        "sub_working_groups": [
            {"code": group.code, "working_group": int(group.code[0]), "name": group.name}
            for group in sorted(parsed.sub_working_groups, key=lambda group: group.code)
        ],
        "organizations": [
            {"acronym": acronyms[name], "name": name, "website": "", "email": ""}
            for name in sorted(listed)
        ],
        "initiatives": records,
    }


def _evidence(
    initiative: ParsedInitiative, attribution: dict, by_code: dict, sources_dir: Path
) -> str:
    quote, cited = attribution["quote"], attribution.get("quote_in", initiative.code)
    if cited in by_code:
        haystack = "\n".join(line.text for line in by_code[cited].text_lines)
        where = "this entry" if cited == initiative.code else f"entry {cited}"
    elif cited in CITABLE_SOURCES:
        haystack = (sources_dir / CITABLE_SOURCES[cited]).read_text(encoding="utf-8")
        where = f"source document {CITABLE_SOURCES[cited]}"
    else:
        raise CurationError(
            f"{initiative.code}: quote_in {cited!r} is neither an entry nor a source"
        )
    if quote not in haystack:
        raise CurationError(f"{initiative.code}: the quote is not in {where}: {quote!r}")
    rule = attribution.get("rule")
    return (
        f"{rule}. {where.capitalize()}: “{quote}”" if rule else f"{where.capitalize()}: “{quote}”"
    )
