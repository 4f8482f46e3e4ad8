"""The register-interest form: every field length-limited, no control characters anywhere."""

import secrets
import time
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from ..codes import normalize_code
from ..models import Initiative
from .models import MESSAGE_MAX, NAME_MAX, PHONE_MAX, TEXT_MAX

TOKEN_SALT = "registrations.form-token"
TOKEN_MAX_AGE = 24 * 3600
MAX_INITIATIVES = 30


def reject_control_characters(value: str, *, allow_newlines: bool = False) -> None:
    """No CR, LF, NUL or other control character may reach a stored record or a header."""
    allowed = {"\n", "\t"} if allow_newlines else set()
    for position, char in enumerate(value, start=1):
        if char in allowed or char == "\r" and allow_newlines:
            continue
        if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            raise ValidationError(
                _("Remove the invisible control character at position %(position)s."),
                code="control_character",
                params={"position": position},
            )


def single_line(value: str) -> None:
    reject_control_characters(value)


def multi_line(value: str) -> None:
    reject_control_characters(value, allow_newlines=True)


def new_token() -> str:
    """A signed one-time token: identifies this filling of the form, and when it started."""
    return signing.dumps({"n": secrets.token_hex(16), "t": time.time()}, salt=TOKEN_SALT)


def country_choices() -> list[tuple[str, str]]:
    return [("", _("Select a country")), *countries]


class InitiativeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, initiative):
        return f"{initiative.code} {initiative.title}"

    def _check_values(self, value):
        # Refuse what cannot be a code before it reaches the database (a NUL byte would
        # make PostgreSQL fail instead of giving a clear message).
        for item in value:
            if normalize_code(item) is None:
                raise ValidationError(
                    _("%(value)s is not an initiative code."),
                    code="invalid_choice",
                    params={"value": repr(str(item)[:20])},
                )
        return super()._check_values([str(item).strip().upper() for item in value])


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=NAME_MAX, validators=[single_line], strip=True
    )
    job_title = forms.CharField(label=_("Job title"), max_length=TEXT_MAX, validators=[single_line])
    agency = forms.CharField(
        label=_("Government agency or institution"),
        max_length=TEXT_MAX,
        validators=[single_line],
    )
    # A callable: the countries are named and sorted in the language of each request.
    country = LazyTypedChoiceField(label=_("Country"), choices=country_choices)
    email = forms.EmailField(
        label=_("Official e-mail address"),
        max_length=254,
        help_text=_("We send your confirmation here; the implementing organizations reply to it."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=PHONE_MAX,
        required=False,
        validators=[single_line],
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[multi_line],
        help_text=format_lazy(
            _("Up to {count} characters: your needs, timing, who else is involved."),
            count=MESSAGE_MAX,
        ),
    )
    initiatives = InitiativeChoiceField(
        label=_("Initiatives"),
        queryset=Initiative.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one initiative."),
            "invalid_choice": _("%(value)s is not a published initiative."),
            "invalid_pk_value": _("%(pk)s is not an initiative code."),
        },
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that these details are shared with the implementing organizations of "
            "the initiatives chosen and with the coalition secretariat."
        ),
        error_messages={
            "required": _("You must agree to share your details to register interest.")
        },
    )
    # Never shown to people (hidden by CSS and from assistive technology): bots fill it in.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=300)

    field_order = [
        "initiatives",
        "full_name",
        "job_title",
        "agency",
        "country",
        "email",
        "phone",
        "message",
        "consent",
    ]

    def __init__(self, *args, offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        published = Initiative.objects.published().order_by("code")
        # Checkboxes for the initiatives offered; any other published code is accepted too
        # (a shortlist from another tab), an unknown or unpublished one is refused.
        self.fields["initiatives"].queryset = published
        self.offered = list(offered) if offered is not None else []

    def clean_initiatives(self):
        chosen = self.cleaned_data["initiatives"]
        if len(chosen) > MAX_INITIATIVES:
            raise ValidationError(
                _("Choose at most %(count)s initiatives at once."),
                params={"count": MAX_INITIATIVES},
            )
        return chosen

    def clean_message(self):
        return self.cleaned_data["message"].replace("\r\n", "\n").replace("\r", "\n").strip()

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("This field must be left empty."), code="honeypot")
        return ""

    def clean_token(self):
        try:
            data = signing.loads(self.cleaned_data["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.SignatureExpired as error:
            raise ValidationError(
                _("This form was open for more than a day. Check your answers and send it again."),
                code="expired",
            ) from error
        except signing.BadSignature as error:
            raise ValidationError(
                _("This form could not be verified. Check your answers and send it again."),
                code="bad_token",
            ) from error
        if time.time() - float(data["t"]) < settings.REGISTRATION_MIN_FILL_SECONDS:
            raise ValidationError(
                _(
                    "This form was sent too quickly to have been filled in by a person. "
                    "Check your answers and send it again."
                ),
                code="too_fast",
            )
        return data["n"]

    @property
    def bot_suspected(self) -> bool:
        return any(
            error.code in {"honeypot", "too_fast"}
            for field in ("website", "token")
            for error in self.errors.as_data().get(field, [])
        )
