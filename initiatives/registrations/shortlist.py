"""The shortlist: initiative codes kept in the session (works without JavaScript)."""

from ..models import Initiative

SESSION_KEY = "shortlist"
MAX_ITEMS = 30


def codes(request) -> list[str]:
    stored = request.session.get(SESSION_KEY, [])
    return [code for code in stored if isinstance(code, str)][:MAX_ITEMS]


def add(request, code: str) -> bool:
    current = codes(request)
    if code in current or len(current) >= MAX_ITEMS:
        return False
    request.session[SESSION_KEY] = [*current, code]
    return True


def remove(request, code: str) -> None:
    request.session[SESSION_KEY] = [item for item in codes(request) if item != code]


def clear(request, removed: list[str]) -> None:
    request.session[SESSION_KEY] = [item for item in codes(request) if item not in removed]


def initiatives(request):
    """The shortlisted initiatives still published, in the order they were added."""
    wanted = codes(request)
    found = {
        initiative.code: initiative
        for initiative in Initiative.objects.published()
        .filter(code__in=wanted)
        .select_related("lead_organization", "sub_working_group")
    }
    return [found[code] for code in wanted if code in found]
