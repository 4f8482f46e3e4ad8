"""A result card, written in Python: both the browse list (up to 120 cards) and a page of
search results show one per initiative, and the template language spent about 450,000
instructions on each, most of a search page's rendering (Django's admin writes its change
list's rows in Python too, ``items_for_result``)."""

from html import escape

from django import template
from django.utils.safestring import SafeString

from .initiative_urls import detail_url

register = template.Library()

NOT_ATTRIBUTED = '<span class="not-attributed">Not attributed in the source</span>'


@register.simple_tag(takes_context=True)
def result_card(context, initiative, title_html=None, excerpt_html=None, show_group=False):
    """The ``<li>`` of one initiative: code and title linking to its page, lead organization
    (and sub-working group, in ranked results), the shortlist action and a short excerpt.
    ``title_html`` and ``excerpt_html``: highlighted versions, already escaped."""
    code = escape(initiative.code)
    url = escape(detail_url(context, initiative))
    title = title_html or escape(initiative.title)
    lead = initiative.lead_organization
    lead_html = (
        f'<abbr title="{escape(lead.name)}">{escape(lead.acronym)}</abbr>'
        if lead
        else NOT_ATTRIBUTED
    )
    group_html = ""
    if show_group:
        group = initiative.sub_working_group
        group_html = f' · <span class="group">{escape(group.code)} {escape(group.name)}</span>'
    if initiative.code in context.get("shortlist_codes", ()):
        shortlist = f'<a href="{escape(context.get("shortlist_url", ""))}">On your shortlist</a>'
    else:
        shortlist = (
            f'<button type="submit" form="shortlist-form" name="add" value="{code}" '
            f'class="button-link">Add to my shortlist<span class="visually-hidden"> '
            f"(initiative {code})</span></button>"
        )
    excerpt = excerpt_html or escape(initiative.excerpt())
    return SafeString(
        f'<li class="initiative" id="i-{code}">\n'
        f'  <h3 class="initiative-title"><a href="{url}"><span class="code">{code}</span> '
        f"{title}</a></h3>\n"
        f'  <p class="meta"><span class="lead-organization">Lead: {lead_html}\n'
        f"</span>{group_html}</p>\n"
        f'  <p class="shortlist-action">{shortlist}</p>\n'
        f'  <p class="excerpt">{excerpt}</p>\n'
        f"</li>"
    )
