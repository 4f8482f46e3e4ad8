"""Write the catalogue back out in the seed file's format."""

from ..models import Initiative, Organization, SubWorkingGroup, WorkingGroup
from .seed_document import initiative_seed_record


def initiative_record(initiative: Initiative) -> dict:
    """The seed record of an initiative as it is in the database now.

    Expects ``partner_organizations`` prefetched and ``lead_organization`` and
    ``sub_working_group`` selected when called in a loop.
    """
    return initiative_seed_record(
        code=initiative.code,
        number=initiative.number,
        sub_working_group=initiative.sub_working_group.code,
        title=initiative.title,
        lead_organization=initiative.lead_organization.acronym
        if initiative.lead_organization
        else None,
        partner_organizations=[org.acronym for org in initiative.partner_organizations.all()],
        attribution_evidence=initiative.attribution_evidence,
        description=initiative.description.split("\n"),
        source_notes=list(initiative.source_notes),
    )


def export_seed_document() -> dict:
    initiatives = Initiative.objects.select_related(
        "sub_working_group", "lead_organization"
    ).prefetch_related("partner_organizations")
    return {
        "working_groups": [
            {"number": group.number, "name": group.name} for group in WorkingGroup.objects.all()
        ],
        "sub_working_groups": [
            {"code": group.code, "working_group": group.working_group.number, "name": group.name}
            for group in SubWorkingGroup.objects.select_related("working_group")
        ],
        "organizations": [
            {"acronym": org.acronym, "name": org.name, "website": org.website, "email": org.email}
            for org in Organization.objects.order_by("name")
        ],
        "initiatives": [
            initiative_record(initiative) for initiative in initiatives.order_by("code")
        ],
    }
