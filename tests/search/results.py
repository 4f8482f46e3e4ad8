"""How the search tests read results: from the list page, as people see them, or straight from
the QuerySet."""

import re

from initiatives.models import Initiative


def found(client, query: str) -> list[str]:
    """Every result, in order, across the pages of results."""
    codes, page = [], 1
    while True:
        response = client.get("/", {"q": query, "page": page})
        assert response.status_code == 200
        html = response.content.decode()
        codes += re.findall(r'<li class="initiative" id="i-([0-9A-Z]+)"', html)
        if 'rel="next"' not in html:
            return codes
        page += 1


def ranked_codes(query: str) -> list[str]:
    """Every match, ranked, straight from the QuerySet."""
    return list(
        Initiative.objects.published().search(query).ranked().values_list("code", flat=True)
    )
