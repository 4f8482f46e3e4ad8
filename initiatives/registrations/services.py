"""Register interest: the one write with side effects.

``register_interest`` stores a registration, one item per initiative with who receives its
request, and every e-mail it causes (a request per recipient and a confirmation to the
registrant), all in one transaction. The e-mails wait in the outbox (``OutboundEmail``) and
leave only after that commit, sent by the delivery worker (``deliver_emails``), so a slow or dead
mail server never touches the form and nothing accepted can be lost. The confirmation is
written in the language the registrant used; the requests stay in English and name it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.utils.translation import gettext, override

from ..models import Initiative
from .models import OutboundEmail, Registration, RegistrationItem
from .routing import Recipient, group_by_recipient

MESSAGE_DOMAIN = "initiatives-catalogue"


@dataclass(frozen=True)
class RegistrantDetails:
    """Who registers interest, as they gave it (already validated, e.g. by ``RegistrationForm``)."""

    full_name: str
    job_title: str
    agency: str
    country: str  # ISO 3166-1 alpha-2 code
    email: str
    consent: bool
    phone: str = ""
    message: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "RegistrantDetails":
        """The details among ``data`` (a form's ``cleaned_data``); other keys are ignored."""
        return cls(**{field.name: data[field.name] for field in fields(cls) if field.name in data})


def register_interest(
    *,
    initiatives: Sequence[Initiative],
    registrant: RegistrantDetails | Mapping[str, Any],
    submission_token: str,
    site_url: str,
    language: str = settings.LANGUAGE_CODE,
) -> Registration:
    """Store a registration of interest in ``initiatives`` and queue its e-mails; return it.

    ``submission_token`` identifies one filling of the form: a resubmission (double click,
    refresh, back button) carries the same token and gets the registration already stored,
    with nothing stored or queued again. ``site_url`` is the site's address, for the links in
    the e-mails. ``language`` is the language the registrant used (a code of ``LANGUAGES``).
    """
    if not isinstance(registrant, RegistrantDetails):
        registrant = RegistrantDetails.from_mapping(registrant)
    existing = Registration.objects.filter(submission_token=submission_token).first()
    if existing:
        return existing
    if not registrant.consent:
        raise ValueError("A registration needs the registrant's consent to share their details.")
    if not initiatives:
        raise ValueError("A registration needs at least one initiative.")
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"{language!r} is not one of the catalogue's languages.")
    try:
        with transaction.atomic():
            return _create(initiatives, registrant, submission_token, site_url, language)
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first.
        existing = Registration.objects.filter(submission_token=submission_token).first()
        if existing is None:
            raise
        return existing


def _message_id(registration: Registration, number: int) -> str:
    return f"<registration-{registration.reference}-{number}@{MESSAGE_DOMAIN}>"


def _create(
    initiatives: Sequence[Initiative],
    registrant: RegistrantDetails,
    submission_token: str,
    site_url: str,
    language: str,
) -> Registration:
    # Read again with what routing needs (each initiative once).
    chosen = list(
        Initiative.objects.filter(pk__in=[initiative.pk for initiative in initiatives])
        .select_related("lead_organization", "point_of_contact__organization", "sub_working_group")
        .order_by("code")
    )
    registration = Registration.objects.create(
        submission_token=submission_token,
        full_name=registrant.full_name,
        job_title=registrant.job_title,
        agency=registrant.agency,
        country=registrant.country,
        email=registrant.email,
        phone=registrant.phone,
        message=registrant.message,
        consent=registrant.consent,
        language=language,
    )
    recipients = group_by_recipient(chosen)
    RegistrationItem.objects.bulk_create(
        RegistrationItem(
            registration=registration,
            initiative=initiative,
            recipient=recipient.email,
            recipient_label=recipient.stored_label,
            recipient_kind=recipient.kind,
        )
        for recipient in recipients
        for initiative in recipient.initiatives
    )
    OutboundEmail.objects.bulk_create(_emails(registration, recipients, site_url))
    return registration


def _emails(
    registration: Registration, recipients: list[Recipient], site_url: str
) -> list[OutboundEmail]:
    """A request to each recipient (replies go to the registrant), in English, then the
    confirmation, in the registrant's language. Each is rendered now, in its language, and
    stored whole in the outbox."""
    # The links are the pages' addresses in each e-mail's language, on this site.
    site_root = urljoin(site_url, "/").rstrip("/")
    context = {"registration": registration, "recipients": recipients, "site_root": site_root}
    with override(settings.LANGUAGE_CODE):
        emails = _requests(registration, recipients, context)
    with override(registration.language):
        emails.append(_confirmation(registration, context))
    return emails


def _requests(registration: Registration, recipients: list[Recipient], context: dict):
    """The requests to the points of contact: in English, naming the registrant's language."""
    emails = []
    for number, recipient in enumerate(recipients, start=1):
        codes = ", ".join(initiative.code for initiative in recipient.initiatives)
        copy = (
            [settings.COALITION_CONTACT_EMAIL]
            if settings.COPY_SECRETARIAT and recipient.kind != "secretariat"
            else []
        )
        mail_context = {**context, "recipient": recipient}
        emails.append(
            OutboundEmail(
                registration=registration,
                kind=OutboundEmail.Kind.REQUEST,
                to=[recipient.email],
                cc=copy,
                reply_to=[registration.email],
                subject=Truncator(
                    f"Registration of interest ({registration.country.name}): "
                    f"initiative{'s' if len(recipient.initiatives) > 1 else ''} {codes}"
                ).chars(240),
                body_text=render_to_string("emails/registration_request.txt", mail_context),
                body_html=render_to_string("emails/registration_request.html", mail_context),
                message_id=_message_id(registration, number),
            )
        )
    return emails


def _confirmation(registration: Registration, context: dict) -> OutboundEmail:
    return OutboundEmail(
        registration=registration,
        kind=OutboundEmail.Kind.CONFIRMATION,
        to=[registration.email],
        reply_to=[settings.COALITION_CONTACT_EMAIL],
        subject=gettext("Your registration of interest has been received"),
        body_text=render_to_string("emails/registration_confirmation.txt", context),
        body_html=render_to_string("emails/registration_confirmation.html", context),
        message_id=_message_id(registration, 0),
    )
