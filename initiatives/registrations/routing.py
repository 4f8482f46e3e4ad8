"""Who receives a request for an initiative: its contact, else its lead organization, else the
coalition secretariat."""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class Recipient:
    email: str
    kind: str  # "contact", "organization" or "secretariat"
    label: str  # how the registrant is told who receives it (no address)
    initiatives: list = field(default_factory=list)


def recipient_for(initiative) -> Recipient:
    contact = initiative.point_of_contact
    if contact and contact.email:
        where = f", {contact.organization.acronym}" if contact.organization else ""
        return Recipient(contact.email, "contact", f"{contact.name}{where} (point of contact)")
    lead = initiative.lead_organization
    if lead and lead.email:
        return Recipient(lead.email, "organization", f"{lead.name}")
    return Recipient(settings.COALITION_CONTACT_EMAIL, "secretariat", "the Coalition secretariat")


def group_by_recipient(initiatives) -> list[Recipient]:
    """One recipient per address, listing every initiative of theirs, in code order."""
    grouped: dict[str, Recipient] = {}
    for initiative in sorted(initiatives, key=lambda item: item.code):
        recipient = recipient_for(initiative)
        key = recipient.email.lower()
        grouped.setdefault(key, recipient).initiatives.append(initiative)
    return list(grouped.values())
