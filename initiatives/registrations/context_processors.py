from . import shortlist


class LazyShortlist:
    """The shortlisted codes, read from the session only if a template asks for them."""

    def __init__(self, request):
        self.request = request
        self._codes = None

    def _load(self) -> list[str]:
        if self._codes is None:
            self._codes = shortlist.codes(self.request) if hasattr(self.request, "session") else []
        return self._codes

    def __contains__(self, code) -> bool:
        return code in self._load()

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __bool__(self) -> bool:
        return bool(self._load())


def shortlist_codes(request):
    """For the header link and the "Add to my shortlist" buttons."""
    return {"shortlist_codes": LazyShortlist(request)}
