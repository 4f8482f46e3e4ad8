"""Who receives a request for an initiative: its contact, else its lead organization, else the
coalition secretariat."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext, override

# The stored label of a point of contact ends with this (in English, as staff read it).
CONTACT_SUFFIX = " (point of contact)"


def describe(kind: str, name: str) -> str:
    """How the registrant is told who receives a request, in the active language (no address)."""
    if kind == "contact":
        return gettext("%(name)s (point of contact)") % {"name": name}
    if kind == "secretariat":
        return gettext("the Coalition secretariat")
    return name


@dataclass
class Recipient:
    email: str
    kind: str  # "contact", "organization" or "secretariat"
    name: str  # the contact's name and organization, or the organization's name
    initiatives: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return describe(self.kind, self.name)

    @property
    def stored_label(self) -> str:
        """The label kept with the registration, in English (the admin's language)."""
        with override(settings.LANGUAGE_CODE):
            return self.label


def recipient_for(initiative) -> Recipient:
    contact = initiative.point_of_contact
    if contact and contact.email:
        where = f", {contact.organization.acronym}" if contact.organization else ""
        return Recipient(contact.email, "contact", f"{contact.name}{where}")
    lead = initiative.lead_organization
    if lead and lead.email:
        return Recipient(lead.email, "organization", f"{lead.name}")
    return Recipient(settings.COALITION_CONTACT_EMAIL, "secretariat", "")


def group_by_recipient(initiatives) -> list[Recipient]:
    """One recipient per address, listing every initiative of theirs, in code order."""
    grouped: dict[str, Recipient] = {}
    for initiative in sorted(initiatives, key=lambda item: item.code):
        recipient = recipient_for(initiative)
        key = recipient.email.lower()
        grouped.setdefault(key, recipient).initiatives.append(initiative)
    return list(grouped.values())
