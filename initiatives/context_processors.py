from .registrations import shortlist


def shortlist_codes(request):
    """The shortlisted codes, for the header link and the "Add to my shortlist" buttons.

    Read lazily: pages that never show them do not load the session.
    """

    class Lazy:
        _codes = None

        def _load(self):
            if self._codes is None:
                self._codes = shortlist.codes(request) if hasattr(request, "session") else []
            return self._codes

        def __contains__(self, code):
            return code in self._load()

        def __len__(self):
            return len(self._load())

        def __bool__(self):
            return bool(self._load())

    return {"shortlist_codes": Lazy()}
