"""Clients for the served catalogue: readers of every public page and the API, and registrants
who fill in the form like a browser does (cookies, CSRF token, the form's one-time token).
Every response is timed and recorded; every page's content is checked, not only its status."""

import html
import http.client
import http.cookies
import itertools
import json
import random
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

# Summary lines printed at the end of the run (see conftest.pytest_terminal_summary).
REPORT: list[str] = []

SEARCHES = ["naloxone", "precursor", "early warning", "wastewater", "training laboratory", "nps"]
FILTERS = [
    "organization=UNODC",
    "group=1.1",
    "working_group=2&organization=INCB",
    "q=training&organization=UNODC",
    "organization=none",
    "sort=title",
]
COUNTRIES = ["KE", "CO", "PH", "MX", "NG", "TH", "PE", "GH"]
_sequence = itertools.count(1)


@dataclass
class Catalogue:
    """What the served database holds, read directly from it, to check pages against."""

    titles: dict[str, str]  # published code → title
    recipient: dict[str, str]  # published code → where its requests go
    static_path: str = ""

    @classmethod
    def load(cls, conn, secretariat: str) -> "Catalogue":
        rows = conn.execute(
            """SELECT i.code, i.title, c.email, o.email
               FROM initiatives_initiative i
               LEFT JOIN initiatives_contact c ON c.id = i.point_of_contact_id
               LEFT JOIN initiatives_organization o ON o.id = i.lead_organization_id
               WHERE i.is_published"""
        ).fetchall()
        assert len(rows) > 100, "the seeds were not loaded"
        return cls(
            titles={code: title for code, title, _, _ in rows},
            # The routing rule, restated: the contact, else the lead organization, else the
            # secretariat.
            recipient={code: contact or lead or secretariat for code, _, contact, lead in rows},
        )

    def spread(self, count: int = 3) -> list[str]:
        """Initiatives routed to ``count`` different addresses (one e-mail each)."""
        chosen: dict[str, str] = {}
        for code in sorted(self.recipient):
            chosen.setdefault(self.recipient[code], code)
        assert len(chosen) >= count, chosen
        return sorted(chosen.values())[:count]


@dataclass
class Sample:
    kind: str
    status: int | None  # None: no HTTP answer at all
    seconds: float
    started: float
    error: str = ""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Stats:
    def __init__(self):
        self.samples: list[Sample] = []
        self.problems: list[str] = []  # wrong content, unexpected statuses
        self.lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def server_errors(self, allowed=()) -> list[Sample]:
        return [s for s in self.samples if s.status and s.status >= 500 and s.status not in allowed]

    def summary(self, label: str, seconds: float) -> str:
        times = sorted(s.seconds for s in self.samples)
        statuses: dict[str, int] = {}
        for sample in self.samples:
            key = str(sample.status or "no answer")
            statuses[key] = statuses.get(key, 0) + 1
        p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
        return (
            f"{label}: {len(times)} requests in {seconds:.1f} s = {len(times) / seconds:.1f} "
            f"req/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
            f"max {(times[-1] if times else 0) * 1000:.0f} ms, "
            f"5xx {len(self.server_errors())}, statuses {dict(sorted(statuses.items()))}"
        )


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


class Browser:
    """One visitor: its own cookies, a new connection per request (gunicorn's sync workers
    close each one anyway)."""

    def __init__(self, base: str, stats: Stats, timeout: float = 30):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.stats = stats
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, kind: str, method: str, path: str, form=None) -> Response | None:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django's CSRF check wants a same-origin Referer or Origin for POSTs.
            headers["Origin"] = f"http://{self.host}:{self.port}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
        except OSError as error:
            self.stats.add(Sample(kind, None, time.monotonic() - started, started, repr(error)))
            return None
        finally:
            connection.close()
        self.stats.add(Sample(kind, raw.status, time.monotonic() - started, started))
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)


def hidden(text: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', text) or re.search(
        rf'value="([^"]*)" name="{name}"', text
    )
    return html.unescape(match.group(1)) if match else ""


class Reader:
    """Reads the public pages and the API, checking each answer's content."""

    def __init__(self, base: str, stats: Stats, catalogue: Catalogue, rng: random.Random):
        self.browser = Browser(base, stats)
        self.stats = stats
        self.catalogue = catalogue
        self.rng = rng
        self.codes = sorted(catalogue.titles)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.stats.problem(what)

    def step(self) -> None:
        action = self.rng.choices(
            [
                self.list,
                self.search,
                self.filtered,
                self.detail,
                self.api_list,
                self.api_detail,
                self.static,
                self.code_search,
            ],
            weights=[2, 3, 3, 4, 2, 3, 1, 1],
        )[0]
        action()

    def _page(self, kind, path) -> Response | None:
        response = self.browser.request(kind, "GET", path)
        if response is not None and response.status not in (200, 503):
            self.stats.problem(f"{kind} {path}: status {response.status}")
        if response is not None and response.status == 200:
            return response
        return None

    def list(self):
        response = self._page("list", "/")
        if response:
            count = len(self.catalogue.titles)
            self.check(f"{count} initiatives" in response.text, f"list: no '{count} initiatives'")
            match = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', response.text)
            self.check(match is not None, "list: no hashed stylesheet link")
            if match:
                self.catalogue.static_path = match.group(1)

    def search(self):
        query = self.rng.choice(SEARCHES)
        response = self._page("search", "/?" + urllib.parse.urlencode({"q": query}))
        if response:
            self.check(
                re.search(r'id="result-count"[^>]*>\s*\d+ initiatives? found for', response.text)
                is not None,
                f"search {query!r}: no result count",
            )

    def code_search(self):
        code = self.rng.choice(self.codes)
        response = self.browser.request("search", "GET", f"/?q={code}")
        if response is None or response.status == 503:
            return
        self.check(
            response.status == 302 and response.headers["Location"] == f"/initiatives/{code}/",
            f"search for code {code}: {response.status} {response.headers['Location']}",
        )

    def filtered(self):
        query = self.rng.choice(FILTERS)
        response = self._page("filter", "/?" + query)
        if response:
            self.check(
                re.search(r'id="result-count"[^>]*>\s*\d+ initiatives?', response.text) is not None,
                f"filter {query}: no result count",
            )

    def detail(self):
        code = self.rng.choice(self.codes)
        response = self._page("detail", f"/initiatives/{code}/")
        if response:
            title = html.escape(self.catalogue.titles[code], quote=False)
            self.check(title in response.text.replace("&#x27;", "'"), f"detail {code}: no title")

    def api_list(self):
        params = self.rng.choice(["page_size=100", "q=precursor", "organization=UNODC&page=1"])
        response = self._page("api", f"/api/initiatives/?{params}")
        if response:
            data = json.loads(response.text)
            if params == "page_size=100":
                self.check(data["count"] == len(self.catalogue.titles), "api list: wrong count")
            self.check(
                all(item["code"] in self.catalogue.titles for item in data["results"]),
                f"api list {params}: unknown code",
            )

    def api_detail(self):
        code = self.rng.choice(self.codes)
        response = self._page("api", f"/api/initiatives/{code}/")
        if response:
            data = json.loads(response.text)
            self.check(
                data["code"] == code and data["title"] == self.catalogue.titles[code],
                f"api detail {code}: wrong content",
            )

    def static(self):
        if not self.catalogue.static_path:
            return self.list()
        response = self._page("static", self.catalogue.static_path)
        if response:
            self.check(
                "max-age=315360000" in (response.headers["Cache-Control"] or "")
                and "{" in response.text,
                "static: not a far-future cached stylesheet",
            )


@dataclass
class Attempt:
    """One person's registration, from opening the form to the confirmation page."""

    email: str
    codes: list[str]
    full_name: str
    agency: str
    country: str
    message: str
    token: str = ""
    outcome: str = "not sent"  # accepted / refused / unknown
    reference: str = ""
    posts: list[int | None] = field(default_factory=list)  # status of each POST
    accepted_at: float = 0.0


class Registrant:
    """Registers interest like a browser: through the shortlist or a detail page's link."""

    def __init__(
        self,
        base,
        stats: Stats,
        catalogue: Catalogue,
        rng: random.Random,
        run: str,
        min_fill: float,
        retries: int = 30,
        retry_pause: float = 1.0,
    ):
        self.base = base
        self.stats = stats
        self.catalogue = catalogue
        self.rng = rng
        self.run = run
        self.min_fill = min_fill
        self.retries = retries
        self.retry_pause = retry_pause
        self.attempts: list[Attempt] = []
        self.codes = sorted(catalogue.titles)

    def new_attempt(self) -> Attempt:
        number = next(_sequence)
        return Attempt(
            email=f"official.{self.run}.{number}@gov.example",
            codes=sorted(self.rng.sample(self.codes, self.rng.choice([1, 1, 2, 3]))),
            full_name=self.rng.choice(["Nadia Haddad-Núñez", "Kwame Mensah", "Lê Thị Hoa"])
            + f" {number}",
            agency="National Narcotics Board",
            country=self.rng.choice(COUNTRIES),
            message=f"Registration {self.run}-{number}.\nWe are ready in 2026.",
        )

    def step(self, stop: threading.Event | None = None, codes: list[str] | None = None) -> Attempt:
        attempt = self.new_attempt()
        if codes:
            attempt.codes = sorted(codes)
        self.attempts.append(attempt)
        browser = Browser(self.base, self.stats)
        form = None
        for _ in range(self.retries):
            form = self._open_form(browser, attempt)
            if form is not None or (stop is not None and stop.is_set()):
                break
            time.sleep(self.retry_pause)
        if form is None:
            return attempt
        time.sleep(self.min_fill + 0.05)  # a person takes time to fill in the form
        attempt.token = form["token"]
        for _ in range(self.retries):
            # A refused or unanswered POST is sent again as it was (same one-time token): the
            # server must store it once.
            response = browser.request("register", "POST", "/register/", form=form)
            attempt.posts.append(response.status if response else None)
            if response is not None and response.status == 302:
                return self._confirm(browser, attempt, response)
            if response is not None and response.status not in (503,):
                self.stats.problem(f"register {attempt.email}: POST answered {response.status}")
                attempt.outcome = "refused"
                return attempt
            attempt.outcome = "unknown" if response is None else "refused"
            time.sleep(self.retry_pause)
        return attempt

    def _open_form(self, browser: Browser, attempt: Attempt) -> dict | None:
        if self.rng.random() < 0.5:
            # Through the shortlist: "Add to my shortlist" on each detail page, then the form.
            for code in attempt.codes:
                page = browser.request("detail", "GET", f"/initiatives/{code}/")
                if page is None or page.status != 200:
                    return None
                added = browser.request(
                    "shortlist",
                    "POST",
                    "/shortlist/",
                    form={
                        "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
                        "add": code,
                        "next": f"/initiatives/{code}/",
                    },
                )
                if added is None or added.status != 302:
                    if added is not None and added.status != 503:
                        self.stats.problem(f"shortlist add {code}: {added.status}")
                    return None
            page = browser.request("form", "GET", "/register/")
        else:
            query = urllib.parse.urlencode([("initiative", code) for code in attempt.codes])
            page = browser.request("form", "GET", f"/register/?{query}")
        if page is None or page.status != 200:
            if page is not None and page.status != 503:
                self.stats.problem(f"register form: {page.status}")
            return None
        offered = sorted(set(re.findall(r'name="initiatives" value="([^"]+)"', page.text)))
        if offered != attempt.codes:
            self.stats.problem(f"register form offers {offered}, not {attempt.codes}")
            return None
        return {
            "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
            "token": hidden(page.text, "token"),
            "initiatives": attempt.codes,
            "full_name": attempt.full_name,
            "job_title": "Head of Precursor Control",
            "agency": attempt.agency,
            "country": attempt.country,
            "email": attempt.email,
            "phone": "+254 20 123 4567",
            "message": attempt.message,
            "consent": "on",
            "website": "",
        }

    def _confirm(self, browser: Browser, attempt: Attempt, response: Response) -> Attempt:
        location = response.headers["Location"] or ""
        match = re.fullmatch(r"/register/done/([0-9a-f-]{36})/", location)
        if not match:
            self.stats.problem(f"register {attempt.email}: redirected to {location!r}")
            attempt.outcome = "refused"
            return attempt
        attempt.outcome = "accepted"
        attempt.accepted_at = time.monotonic()
        attempt.reference = match.group(1)
        # The confirmation page may itself meet an outage: the registration is stored already.
        for _ in range(self.retries):
            page = browser.request("done", "GET", location)
            if page is not None and page.status == 200:
                # Each code is an element's whole text (it is isolated left-to-right).
                if "Registration received" not in page.text or not all(
                    f">{code}<" in page.text for code in attempt.codes
                ):
                    self.stats.problem(f"done page of {attempt.email} is wrong")
                break
            time.sleep(self.retry_pause)
        return attempt


class Load:
    """Readers and registrants in threads, until stopped."""

    def __init__(
        self,
        base: str,
        catalogue: Catalogue,
        *,
        readers: int,
        registrants: int,
        run: str,
        min_fill: float,
        seed: int = 1,
    ):
        self.stats = Stats()
        self.stop_event = threading.Event()
        self.readers = [
            Reader(base, self.stats, catalogue, random.Random(seed * 1000 + n))
            for n in range(readers)
        ]
        self.registrants = [
            Registrant(base, self.stats, catalogue, random.Random(seed * 2000 + n), run, min_fill)
            for n in range(registrants)
        ]
        self.threads: list[threading.Thread] = []
        self.crashes: list[str] = []
        self.started = self.stopped = 0.0

    def _loop(self, client):
        try:
            while not self.stop_event.is_set():
                if isinstance(client, Registrant):
                    client.step(self.stop_event)
                else:
                    client.step()
        except Exception as error:  # noqa: BLE001  (reported as a test failure)
            self.crashes.append(f"{type(client).__name__}: {type(error).__name__}: {error}")

    def start(self) -> "Load":
        self.started = time.monotonic()
        for client in [*self.readers, *self.registrants]:
            thread = threading.Thread(target=self._loop, args=(client,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=120)
        self.stopped = time.monotonic()

    @property
    def attempts(self) -> list[Attempt]:
        return [a for r in self.registrants for a in r.attempts]

    @property
    def accepted(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == "accepted"]


def new_run_id() -> str:
    return uuid.uuid4().hex[:8]


def start_load(stack, readers: int, registrants: int, min_fill: float, seed: int = 1) -> Load:
    """Readers and registrants against the served stack, each run with its own id."""
    return Load(
        stack.base,
        stack.catalogue,
        readers=readers,
        registrants=registrants,
        run=new_run_id(),
        min_fill=min_fill,
        seed=seed,
    ).start()
