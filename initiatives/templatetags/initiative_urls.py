"""Links to initiatives' pages for a long list: one reverse() per page, not one per link."""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

register = template.Library()

PLACEHOLDER = "0000"  # a code that reverse() leaves as it is


@register.simple_tag(takes_context=True)
def detail_url(context, initiative) -> str:
    """The same as ``initiative.get_absolute_url()``: the address is reversed once per
    rendering, and each initiative's code put in the place of a placeholder code."""
    parts = context.render_context.get(detail_url)
    if parts is None:
        url = reverse("initiatives:detail", kwargs={"code": PLACEHOLDER})
        parts = context.render_context[detail_url] = url.rpartition(PLACEHOLDER)
    before, _, after = parts
    # quoted as reverse() quotes the path
    return before + quote(initiative.code, safe=RFC3986_SUBDELIMS + "/~:@") + after
