"""Accept a registration: store it and queue its e-mails, all in one transaction."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.text import Truncator

from .models import OutboundEmail, Registration, RegistrationItem
from .routing import group_by_recipient

MESSAGE_DOMAIN = "initiatives-catalogue"


def _message_id(registration: Registration, number: int) -> str:
    return f"<registration-{registration.reference}-{number}@{MESSAGE_DOMAIN}>"


def register(cleaned: dict, *, site_url: str) -> tuple[Registration, bool]:
    """Store a registration from a valid form; return it and whether it is new.

    A resubmission of the same form (double click, refresh, back button) carries the same
    token and returns the registration already stored.
    """
    existing = Registration.objects.filter(submission_token=cleaned["token"]).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return _create(cleaned, site_url), True
    except IntegrityError:
        existing = Registration.objects.filter(submission_token=cleaned["token"]).first()
        if existing is None:
            raise
        return existing, False


def _create(cleaned: dict, site_url: str) -> Registration:
    initiatives = list(
        cleaned["initiatives"].select_related(
            "lead_organization", "point_of_contact__organization", "sub_working_group"
        )
    )
    registration = Registration.objects.create(
        submission_token=cleaned["token"],
        full_name=cleaned["full_name"],
        job_title=cleaned["job_title"],
        agency=cleaned["agency"],
        country=cleaned["country"],
        email=cleaned["email"],
        phone=cleaned["phone"],
        message=cleaned["message"],
        consent=cleaned["consent"],
    )
    recipients = group_by_recipient(initiatives)
    RegistrationItem.objects.bulk_create(
        RegistrationItem(
            registration=registration,
            initiative=initiative,
            recipient=recipient.email,
            recipient_label=recipient.label,
            recipient_kind=recipient.kind,
        )
        for recipient in recipients
        for initiative in recipient.initiatives
    )
    context = {"registration": registration, "recipients": recipients, "site_url": site_url}
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
    emails.append(
        OutboundEmail(
            registration=registration,
            kind=OutboundEmail.Kind.CONFIRMATION,
            to=[registration.email],
            reply_to=[settings.COALITION_CONTACT_EMAIL],
            subject="Your registration of interest has been received",
            body_text=render_to_string("emails/registration_confirmation.txt", context),
            body_html=render_to_string("emails/registration_confirmation.html", context),
            message_id=_message_id(registration, 0),
        )
    )
    OutboundEmail.objects.bulk_create(emails)
    return registration
