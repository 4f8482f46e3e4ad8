"""Registering interest end to end, as a person does it, in a real browser with real e-mail.

Headless Chromium (Debian's, at /usr/bin/chromium) drives pytest-django's live server: shortlist
initiatives from the list and a detail page, open "My shortlist", fill in the form by its labels,
send it, read the confirmation. A real SMTP server (aiosmtpd, on loopback) then receives what the
delivery worker sends. Every page of the journey is checked with axe-core.
"""

import os
import re

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (the test thread never shares connections).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from initiatives.models import Initiative, Organization  # noqa: E402
from initiatives.registrations.delivery import deliver_due  # noqa: E402
from initiatives.registrations.models import OutboundEmail, Registration  # noqa: E402
from initiatives.seeding.loader import load_seed_file  # noqa: E402
from tests.e2e.browser_support import AXE_OPTIONS  # noqa: E402

UNODC_EMAIL = "unodc@example.org"
INCB_EMAIL = "incb@example.org"
SECRETARIAT_EMAIL = "secretariat@example.org"
REGISTRANT = {
    "Full name": "Nadia Haddad-Núñez",
    "Job title": "Director of Precursor Control",
    "Government agency or institution": "National Narcotics Board",
    "Official e-mail address": "nadia.haddad@narcotics.gov.example",
    "Phone (optional)": "+254 20 123 4567",
    "Message (optional)": "We would like to take part in 2025.\nOur laboratory is ready.",
}
COUNTRY = ("KE", "Kenya")
CONSENT_LABEL = "I agree that these details are shared with the implementing organizations"
REQUIRED_FIELD_IDS = ["id_full_name", "id_job_title", "id_agency", "id_country", "id_email"]


@pytest.fixture
def site(transactional_db, live_server, settings):
    """The real catalogue, committed so that the live server's thread sees it, with contact
    addresses for UNODC and INCB, and the anti-bot delay and rate limits out of the way."""
    load_seed_file(django_settings.SEED_FILE)
    assert Organization.objects.filter(acronym="UNODC").update(email=UNODC_EMAIL) == 1
    assert Organization.objects.filter(acronym="INCB").update(email=INCB_EMAIL) == 1
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    settings.REGISTRATION_RATE_LIMITS = {"ip": (10_000, 3600), "email": (10_000, 3600)}
    settings.COALITION_CONTACT_EMAIL = SECRETARIAT_EMAIL
    settings.COPY_SECRETARIAT = False
    return live_server.url


def led_by(acronym: str, count: int) -> list[Initiative]:
    """Published initiatives of one lead organization with no point of contact of their own
    (so that their requests are routed to the organization's address)."""
    initiatives = list(
        Initiative.objects.published()
        .filter(lead_organization__acronym=acronym, point_of_contact__isnull=True)
        .select_related("lead_organization")
        .order_by("code")[:count]
    )
    assert len(initiatives) == count, f"the catalogue has fewer than {count} {acronym} initiatives"
    return initiatives


def axe_violations(page) -> str:
    """axe-core's report of the page's violations, or "" when there are none."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


def broken_references(page) -> list[str]:
    """aria-describedby / aria-labelledby references to ids missing from the page (axe only
    lists these as "needs review", not as violations)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')]
            .flatMap(element => ['aria-describedby', 'aria-labelledby'].flatMap(name =>
                (element.getAttribute(name) || '').split(/\\s+/).filter(Boolean)
                    .filter(id => !document.getElementById(id))
                    .map(id => `#${element.id} ${name}=${id}`)))"""
    )


def add_from_results(page, code: str) -> None:
    """Press a result's "Add to my shortlist" (a button of the separate shortlist form)."""
    name = f"Add to my shortlist (initiative {code})"
    page.get_by_role("button", name=name).click()
    expect(page.locator("main .messages")).to_have_text(f"Added {code} to your shortlist.")
    result = page.locator(f"#i-{code}")
    expect(result.get_by_role("link", name="On your shortlist")).to_be_visible()
    expect(result.get_by_role("button", name=re.compile("Add to my shortlist"))).to_have_count(0)


def fill_in_the_form(page) -> None:
    for label, value in REGISTRANT.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country", exact=True).select_option(label=COUNTRY[1])
    page.get_by_label(CONSENT_LABEL).check()


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def codes_in(text: str, initiatives) -> set[str]:
    return {i.code for i in initiatives if re.search(rf"^- {re.escape(i.code)} ", text, re.M)}


def test_shortlist_register_and_receive_the_emails(site, smtp_server, open_page):
    smtp = smtp_server
    unodc_one, unodc_two = led_by("UNODC", 2)
    (incb,) = led_by("INCB", 1)
    chosen = [unodc_one, unodc_two, incb]
    page = open_page()
    violations = {}

    # 1. The list, filtered to UNODC: add the first UNODC initiative.
    page.goto(site + "/")
    page.locator("#org-unodc").check()
    unodc_count = Initiative.objects.published().filter(lead_organization__acronym="UNODC")
    expect(page.locator("#result-count")).to_have_text(f"{unodc_count.count()} initiatives")
    expect(page.locator(f"#i-{incb.code}")).to_have_count(0)
    add_from_results(page, unodc_one.code)

    # 2. A search for the second one's title: add it from the results, and stay on them.
    page.get_by_label("Search initiatives").fill(unodc_two.title)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#result-count")).to_contain_text(f"found for “{unodc_two.title}”")
    searched = page.url
    add_from_results(page, unodc_two.code)
    assert page.url == searched
    expect(page.get_by_role("link", name="My shortlist (2)")).to_be_visible()

    # 3. A search for the INCB initiative's code opens its detail page: add it there.
    page.get_by_label("Search initiatives").fill(incb.code)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(incb.title)
    assert page.url == f"{site}/initiatives/{incb.code}/"
    page.get_by_role("button", name="Add to my shortlist", exact=True).click()
    expect(page.locator("main .messages")).to_have_text(f"Added {incb.code} to your shortlist.")
    assert page.url == f"{site}/initiatives/{incb.code}/"  # back where the person was
    expect(page.locator(".actions").get_by_role("link", name="On your shortlist")).to_be_visible()

    # 4. "My shortlist" from the header: the three, in the order they were added.
    page.get_by_role("link", name="My shortlist (3)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your shortlist")
    items = page.locator("ul.shortlist > li")
    expect(items).to_have_count(3)
    assert items.evaluate_all("items => items.map(item => item.id)") == [
        f"shortlist-{initiative.code}" for initiative in chosen
    ]
    for initiative in chosen:
        expect(page.locator(f"#shortlist-{initiative.code}")).to_contain_text(initiative.title)
    violations["shortlist"] = axe_violations(page)

    # 5. The form: the three are offered, ticked.
    page.get_by_role("link", name="Register interest in these 3 initiatives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your government’s interest")
    offered = page.locator('#initiatives input[type="checkbox"][name="initiatives"]')
    expect(offered).to_have_count(3)
    assert sorted(offered.evaluate_all("boxes => boxes.map(box => box.value)")) == sorted(
        initiative.code for initiative in chosen
    )
    for initiative in chosen:
        expect(page.locator(f"#initiative-{initiative.code}")).to_be_checked()
    violations["form"] = axe_violations(page)
    assert broken_references(page) == []
    expect(page.get_by_label("Official e-mail address", exact=True)).to_have_accessible_description(
        re.compile(r"^We send your confirmation here")
    )

    # 6. Sent with nothing filled in: refused, with an error summary linking to each field.
    page.get_by_role("button", name="Send registration").click()
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    links = summary.get_by_role("link")
    hrefs = links.evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert hrefs[: len(REQUIRED_FIELD_IDS)] == [f"#{id_}" for id_ in REQUIRED_FIELD_IDS], hrefs
    assert hrefs[-1] == "#id_consent", hrefs
    for initiative in chosen:  # the choice survives the refusal
        expect(page.locator(f"#initiative-{initiative.code}")).to_be_checked()
    violations["form with errors"] = axe_violations(page)
    assert broken_references(page) == []
    for id_ in REQUIRED_FIELD_IDS:  # each field announces its own error
        expect(page.locator(f"#{id_}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{id_}")).to_have_accessible_description(
            re.compile(r"Error: This field is required\.$")
        )
    expect(page.locator("#id_consent")).to_have_accessible_description(
        re.compile(r"Error: You must agree")
    )
    expect(page.locator("#id_full_name")).not_to_be_focused()
    links.first.click()
    expect(page.locator("#id_full_name")).to_be_focused()
    assert Registration.objects.count() == 0

    # 7. Filled in by label and sent: the confirmation says what goes to whom.
    fill_in_the_form(page)
    page.get_by_role("button", name="Send registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration received")
    registration = Registration.objects.get()
    assert page.url == site + registration.get_absolute_url()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    listed = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
        for row in rows.all()
    }
    assert listed == {
        f"{initiative.code} {initiative.title}": initiative.lead_organization.name
        for initiative in chosen
    }
    expect(page.locator("main")).to_contain_text(REGISTRANT["Official e-mail address"])
    expect(page.get_by_role("link", name="My shortlist", exact=True)).to_be_visible()
    violations["confirmation"] = axe_violations(page)

    # What was stored.
    assert registration.full_name == REGISTRANT["Full name"]
    assert registration.country.code == COUNTRY[0]
    assert registration.message == REGISTRANT["Message (optional)"]
    assert sorted(registration.initiatives.values_list("code", flat=True)) == sorted(
        initiative.code for initiative in chosen
    )
    assert len(smtp.messages) == 0  # the form only queues: nothing is sent yet

    # 8. The delivery worker sends one request per organization and the confirmation.
    report = deliver_due()
    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    assert len(smtp.messages) == 3
    by_recipient = {
        tuple(recipients): message
        for (_, recipients), message in zip(smtp.envelopes, smtp.messages, strict=True)
    }
    registrant_email = REGISTRANT["Official e-mail address"]
    assert set(by_recipient) == {(UNODC_EMAIL,), (INCB_EMAIL,), (registrant_email,)}
    for address, expected in ((UNODC_EMAIL, [unodc_one, unodc_two]), (INCB_EMAIL, [incb])):
        request = by_recipient[(address,)]
        assert request["To"] == address
        assert request["Reply-To"] == registrant_email
        codes = ", ".join(initiative.code for initiative in expected)
        noun = "initiatives" if len(expected) > 1 else "initiative"
        assert request["Subject"] == f"Registration of interest ({COUNTRY[1]}): {noun} {codes}"
        text = plain_text(request)
        assert codes_in(text, chosen) == {initiative.code for initiative in expected}, text
        for initiative in expected:
            assert f"- {initiative.code} {initiative.title}" in text
        assert REGISTRANT["Full name"] in text
        assert REGISTRANT["Government agency or institution"] in text
        assert REGISTRANT["Message (optional)"] in text
        assert COUNTRY[1] in text
    confirmation = by_recipient[(registrant_email,)]
    assert confirmation["Subject"] == "Your registration of interest has been received"
    assert confirmation["Reply-To"] == SECRETARIAT_EMAIL
    text = plain_text(confirmation)
    assert codes_in(text, chosen) == {initiative.code for initiative in chosen}, text
    assert f"Dear {REGISTRANT['Full name']}," in text
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert deliver_due().sent == 0 and len(smtp.messages) == 3  # nothing is sent twice

    failing = {name: report for name, report in violations.items() if report}
    assert not failing, "\n\n".join(f"{name}:\n{report}" for name, report in failing.items())


def test_register_from_a_detail_page_without_javascript(site, open_page):
    (initiative,) = led_by("INCB", 1)
    page = open_page(javascript=False)
    # Scripts really do not run in this context.
    page.set_content('<title>off</title><script>document.title = "on"</script>')
    assert page.title() == "off"
    page.goto(f"{site}/initiatives/{initiative.code}/")

    page.get_by_role("link", name="Register your government’s interest").click()
    assert page.url == f"{site}/register/?initiative={initiative.code}"
    offered = page.locator('input[type="checkbox"][name="initiatives"]')
    expect(offered).to_have_count(1)
    expect(page.locator(f"#initiative-{initiative.code}")).to_be_checked()

    fill_in_the_form(page)
    page.get_by_role("button", name="Send registration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Registration received")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text(f"{initiative.code} {initiative.title}")
    expect(rows.first.locator("td").nth(1)).to_have_text(initiative.lead_organization.name)
    registration = Registration.objects.get()
    assert list(registration.initiatives.values_list("code", flat=True)) == [initiative.code]
    assert registration.email == REGISTRANT["Official e-mail address"]
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted(
        [[INCB_EMAIL], [REGISTRANT["Official e-mail address"]]]
    )


def test_adding_after_filtering_in_place_keeps_the_filters(site, open_page):
    """finder.js changes the filters (and the URL) in place; "Add to my shortlist" must then
    come back to the filtered list, not to the address the page was first loaded with."""
    (initiative,) = led_by("UNODC", 1)
    page = open_page()
    page.goto(site + "/")
    page.locator("#org-unodc").check()
    expect(page).to_have_url(re.compile(r"[?&]organization=UNODC(&|$)"))
    filtered = page.url
    add_from_results(page, initiative.code)
    assert page.url == filtered
