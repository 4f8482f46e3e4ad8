"""Small factories for test data: an initiative or an organization made for one test, so that a
test about behaviour sets up its own case instead of rewriting a real record of the catalogue.

Each call saves one valid record (inside the test's transaction, so it is rolled back with it);
keyword arguments override any field.
"""

from itertools import count

from initiatives.models import Initiative, Organization, SubWorkingGroup, WorkingGroup

_serial = count(1)


def make_organization(**overrides) -> Organization:
    """An organization with an acronym and a name no other organization has."""
    serial = next(_serial)
    values = {"acronym": f"TESTORG{serial}", "name": f"Test Organization {serial}"}
    values.update(overrides)
    organization = Organization(**values)
    organization.full_clean()
    organization.save()
    return organization


def get_sub_working_group(code: str) -> SubWorkingGroup:
    """The sub-working group with this code ("3.2"), made with its working group when the test's
    database has none (as with the ``empty_catalogue`` fixture)."""
    group = SubWorkingGroup.objects.filter(code=code).first()
    if group is None:
        working_group, _ = WorkingGroup.objects.get_or_create(
            number=int(code[0]), defaults={"name": f"Working Group {code[0]}"}
        )
        group = SubWorkingGroup.objects.create(
            code=code, working_group=working_group, name=f"Sub-working group {code}"
        )
    return group


def free_number(group: SubWorkingGroup) -> str:
    """An initiative number of the group that no initiative uses: the highest free one ("3299",
    then "3298"…), away from the real catalogue's numbers, which count up from the bottom."""
    prefix = group.code_prefix
    taken = set(
        Initiative.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    )
    for tail in range(99, -1, -1):
        number = f"{prefix}{tail:02d}"
        if number not in taken:
            return number
    raise ValueError(f"Sub-working group {group.code} has no free initiative number left")


def make_initiative(
    *,
    sub_working_group: str | SubWorkingGroup = "3.2",
    lead_organization: Organization | str | None = None,
    **overrides,
) -> Initiative:
    """A published initiative with a fresh code in the sub-working group (a code such as "3.2",
    or the group itself), a title and a description; the lead organization, when given (an
    organization or an acronym of the catalogue), comes with the evidence the database requires.
    """
    group = sub_working_group
    if not isinstance(group, SubWorkingGroup):
        group = get_sub_working_group(group)
    code = overrides.pop("code", None) or free_number(group)
    if isinstance(lead_organization, str):
        lead_organization = Organization.objects.get(acronym=lead_organization)
    values = {
        "code": code,
        "number": code[:4],
        "sub_working_group": group,
        "title": f"Test initiative {code}",
        "description": "An initiative made for a test.",
        "is_published": True,
    }
    if lead_organization is not None:
        values["lead_organization"] = lead_organization
        values["attribution_evidence"] = "Named as the lead by the test that made it."
    values.update(overrides)
    initiative = Initiative(**values)
    initiative.full_clean()
    initiative.save()
    return initiative


STAFF_PASSWORD = "a-Long-enough-pass-phrase-42"


def make_staff_user(role: str, username: str):
    """A staff account made as an administrator makes one (``create_staff_user``), with what
    the command printed in ``command_output``."""
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    out = StringIO()
    call_command(
        "create_staff_user",
        username=username,
        email=f"{username}@coalition.example",
        role=role,
        password=STAFF_PASSWORD,
        no_input=True,
        stdout=out,
    )
    user = get_user_model().objects.get(username=username)
    user.command_output = out.getvalue()
    return user


def make_subscription(
    *, search: str = "", frequency: str = "immediately", confirmed: bool = True, **overrides
):
    """An e-mail alert subscription to ``search`` (the list's query string), confirmed and
    covered until an hour ago unless told otherwise."""
    from datetime import timedelta

    from django.utils import timezone

    from initiatives.alerts.models import Subscription

    serial = next(_serial)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    values = {
        "email": f"subscriber{serial}@agency.example",
        "search": search,
        "frequency": frequency,
        "created_at": an_hour_ago - timedelta(minutes=5),
        "confirmed_at": an_hour_ago if confirmed else None,
        "covered_until": an_hour_ago if confirmed else None,
    }
    values.update(overrides)
    return Subscription.objects.create(**values)


def backdate_catalogue(days: int = 30) -> None:
    """Every initiative published and last changed ``days`` ago: what alerts then find new is
    what the test itself changes."""
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(days=days)
    Initiative.objects.update(changed_at=long_ago, published_at=long_ago)
