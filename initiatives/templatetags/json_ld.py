"""``{{ data|json_ld }}``: a dict as JSON for a ``<script type="application/ld+json">`` element.

Django's ``json_script`` escapes the same way but writes its own element, of type
``application/json``; JSON-LD needs its own type, so the template writes the element and this
filter only the escaped JSON: ``<``, ``>`` and ``&`` as ``\\u003C``… (valid JSON, and no text can
close the element or open a comment in it).
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value) -> str:
    # Safe inside the element: what could end it or start markup in it is escaped above.
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES))
