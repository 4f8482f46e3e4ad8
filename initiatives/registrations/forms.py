"""The register-interest form: every field length-limited, no control characters anywhere."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from ..codes import normalize_code
from ..models import Initiative
from .models import MESSAGE_MAX, NAME_MAX, PHONE_MAX, TEXT_MAX
from .protection import BotTrapForm, multi_line, single_line

MAX_INITIATIVES = 30


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


class RegistrationForm(BotTrapForm):
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
