"""The form to follow a search: an address, how often, and the search itself (the list page's
parameters, checked as the list checks them, every value bounded and free of control
characters)."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..filters import InitiativeFilter
from ..registrations.protection import BotTrapForm, reject_control_characters, single_line
from .models import FOLLOWED_PARAMETERS, SEARCH_MAX, Frequency, followed_search

VALUE_MAX = 200  # the list's own bound for the search box
VALUES_MAX = 50  # values of one parameter (the catalogue has fewer options than this)


def check_followed_search(params: QueryDict) -> str:
    """The search ``params`` hold, in its canonical form; a ``ValidationError`` naming each
    parameter that cannot be followed as it is."""
    errors = []
    for name in FOLLOWED_PARAMETERS:
        label = InitiativeFilter.base_filters[name].label
        values = params.getlist(name)
        if len(values) > VALUES_MAX:
            errors.append(
                ValidationError(
                    _("%(filter)s: choose at most %(count)s values."),
                    code="too_many_values",
                    params={"filter": label, "count": VALUES_MAX},
                )
            )
            continue
        for value in values:
            if len(value) > VALUE_MAX:
                errors.append(
                    ValidationError(
                        _("%(filter)s: at most %(count)s characters."),
                        code="too_long",
                        params={"filter": label, "count": VALUE_MAX},
                    )
                )
                break
            try:
                reject_control_characters(value)
            except ValidationError as error:
                errors.append(
                    ValidationError(
                        _("%(filter)s: %(error)s"),
                        code="control_character",
                        params={"filter": label, "error": " ".join(error.messages)},
                    )
                )
                break
    if errors:
        raise ValidationError(errors)
    search = followed_search(params)
    if len(search) > SEARCH_MAX:
        raise ValidationError(_("This search is too long to follow."), code="too_long")
    filterset = InitiativeFilter(QueryDict(search))
    for name, messages in filterset.errors.items():
        errors.append(
            ValidationError(
                _("%(filter)s “%(values)s”: %(errors)s"),
                code="invalid_choice",
                params={
                    "filter": InitiativeFilter.base_filters[name].label,
                    "values": ", ".join(filterset.data.getlist(name))[:80],
                    "errors": " ".join(messages),
                },
            )
        )
    if errors:
        raise ValidationError(errors)
    return search


class SubscribeForm(BotTrapForm):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        validators=[single_line],
        help_text=_("We send a link to confirm it; nothing is sent until you follow it."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        initial=Frequency.DAILY,
        widget=forms.RadioSelect,
    )

    field_order = ["email", "frequency"]

    def __init__(self, *args, params: QueryDict, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.search = check_followed_search(params)
            self.search_errors = []
        except ValidationError as error:
            self.search, self.search_errors = None, error.messages

    def clean(self):
        if self.search_errors:
            raise ValidationError(self.search_errors, code="invalid_search")
        return super().clean()


class FrequencyForm(forms.Form):
    """Change how often one subscription (named by its reference) is sent alerts."""

    subscription = forms.UUIDField(widget=forms.HiddenInput)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
