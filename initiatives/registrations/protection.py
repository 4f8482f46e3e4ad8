"""What protects the public forms (register interest, follow a search) from bots and bad input:
no control characters, a honeypot field, a signed time token, and the page for rate limits."""

import secrets
import time
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

TOKEN_SALT = "registrations.form-token"
TOKEN_MAX_AGE = 24 * 3600


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


class BotTrapForm(forms.Form):
    """A form with a honeypot (``website``) and a signed time token (``token``): the cleaned
    token is the filling's one-time id."""

    # Never shown to people (hidden by CSS and from assistive technology): bots fill it in.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=300)

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

    def renew_token(self) -> None:
        """A fresh token after a refusal, so that a person can simply send the form again."""
        data = self.data.copy()
        data["token"] = new_token()
        self.data = data


def too_many_requests(request, retry_after: int) -> TemplateResponse:
    """The 429 page, with when to try again."""
    response = TemplateResponse(
        request, "429.html", {"retry_minutes": max(1, retry_after // 60)}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
