"""A facet's checkboxes, written in Python: a filter panel has about forty of them, and the
template language spent more on them than on the twenty results beside (as Django's admin
writes its change list's cells in Python, ``items_for_result``)."""

from html import escape

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def facet_options(options, name: str, prefix: str) -> SafeString:
    """One ``<div class="checkbox">`` per option: its checkbox, and a label with the count
    that finder.js updates (``data-facet``)."""
    name = escape(name)
    html = []
    for option in options:
        ident = escape(f"{prefix}-{option.slug}")
        label = escape(option.label)
        if option.title and option.title != option.label:
            label = f'<abbr title="{escape(option.title)}">{label}</abbr>'
        checked = " checked" if option.selected else ""
        html.append(
            f'\n  <div class="checkbox">\n'
            f'    <input type="checkbox" name="{name}" value="{escape(option.value)}" '
            f'id="{ident}"{checked}>\n'
            f'    <label for="{ident}">{label} <span class="facet-count" '
            f'data-facet="{ident}">({escape(option.count_label)})</span></label>\n'
            f"  </div>\n  "
        )
    return SafeString("".join(html))
