"""A result card (templates/initiatives/_result_card.html): what it shows, escaped."""

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from initiatives.models import Initiative, Organization

pytestmark = pytest.mark.django_db


def card(initiative, title_html=None, excerpt_html=None, group=False, shortlist=()) -> str:
    context = {"initiative": initiative, "title_html": title_html, "excerpt_html": excerpt_html}
    context |= {"show_group": group, "shortlist_codes": shortlist, "shortlist_url": "/shortlist/"}
    return render_to_string("initiatives/_result_card.html", context)


def test_a_card_escapes_text_from_the_database(catalogue):
    initiative = Initiative.objects.get(code="3210")
    initiative.title = 'Kits <b>"free"</b> & more'
    initiative.description = "Naloxone <script>alert(1)</script> & training."
    initiative.lead_organization = Organization(acronym="A&B", name='The "A" <and> B')
    html = card(initiative, group=True)
    assert (
        '<span class="code" dir="ltr">3210</span> <span lang="en" dir="ltr">'
        "Kits &lt;b&gt;&quot;free&quot;&lt;/b&gt; &amp; more</span></a>" in html
    )
    assert (
        'Lead: <bdi><abbr title="The &quot;A&quot; &lt;and&gt; B">A&amp;B'
        "</abbr></bdi></span>" in html
    )
    assert (
        '<p class="excerpt" lang="en" dir="ltr">'
        "Naloxone &lt;script&gt;alert(1)&lt;/script&gt; &amp; training.</p>" in html
    )
    group = initiative.sub_working_group
    code = f'<span dir="ltr">{group.code}</span>'
    assert f' · <span class="group">{code} {group.name}</span></p>' in html
    assert html.startswith('<li class="initiative" id="i-3210">')
    assert html.rstrip().endswith("</li>")
    assert 'href="/initiatives/3210/"' in html


def test_highlights_are_shown_as_given_and_the_group_only_when_asked(catalogue):
    initiative = Initiative.objects.get(code="3210")
    html = card(initiative, mark_safe("<mark>Kits</mark>"), mark_safe("<mark>Naloxone</mark> kits"))
    title = '<span lang="en" dir="ltr"><mark>Kits</mark></span></a>'
    assert '<span class="code" dir="ltr">3210</span> ' + title in html
    assert '<p class="excerpt" lang="en" dir="ltr"><mark>Naloxone</mark> kits</p>' in html
    assert 'class="group"' not in html


def test_the_shortlist_action_and_an_unattributed_lead(catalogue):
    initiative = Initiative.objects.filter(lead_organization=None).first()
    code = initiative.code
    html = card(initiative)
    assert 'Lead: <span class="not-attributed">Not attributed in the source</span>' in html
    assert (
        f'<button type="submit" form="shortlist-form" name="add" value="{code}" '
        f'class="button-link">Add to my shortlist<span class="visually-hidden"> '
        f"(initiative {code})</span></button>"
    ) in html
    html = card(initiative, shortlist={code})
    assert '<p class="shortlist-action"><a href="/shortlist/">On your shortlist</a></p>' in html
    assert "<button" not in html
