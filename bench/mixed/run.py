"""Mixed national traffic against one gunicorn, beside a bare Django view in the same run.

    uv run python bench/mixed/run.py                        # 10 minutes, 2 workers, 4 clients
    uv run python bench/mixed/run.py --duration 60 --warmup 10 --rounds 3     # a short check

Needs ``bench/mixed/generate.py`` first (its ``bench/results/mixed-data.json``). One gunicorn
(``kansrijk.wsgi``, ``bench.settings``: DEBUG off, whitenoise, persistent connections, the shared
Redis cache as in production; ``--workers`` sync workers, default 2) serves both the mix and
``/bench/bare``. Client processes (``--concurrency``, default 4; one ``http.client`` connection
each, on the same two CPUs as the server) draw requests from this mix (shares of requests):

- 35 % anonymous social-map searches (``/sociale-kaart/?postcode=…&q=…``: postcodes weighted by
  population, the needs professionals type; ``bench/run_search.py``'s inputs);
- 25 % pathway pages and 10 % assessments (``POST /api/v1/signalling/assessments``), both in the
  realistic mix of ``bench/pathways/run.py`` (municipalities by young children, common situations
  more often);
- 10 % the intake handler's inbox and 15 % referral pages (signed in with a verified second
  factor; each page view writes an access-log row);
- ~5 % writes (``--write-share``): new referrals through the API (create, consent, send: three
  writes), the intake handler accepting them (a transition with ``If-Match``), and a coalition
  editor changing a service's description through the editor form (its GET is counted as a
  read) — which gives the service a new version, so its cached result cards and the pathway pages
  that name it are stale and must be rendered again.

The run: the cache emptied and every result card warmed (``kansrijk warm-search-cache``, as after
a deployment; ``--no-warm-cards`` leaves it cold), ``--warmup`` seconds of the mix unmeasured
(each worker builds its search index and caches), then ``--rounds`` rounds of a bare-view burst
(``--bare-requests``) followed by ``--duration``/``--rounds`` seconds of the mix, so that drift
on a shared machine hits both alike. Reported: requests/s, p50/p95/p99, errors (any unexpected
status or a broken connection) per kind and overall; the bare view's requests/s and latency; CPU
of the workers and of PostgreSQL per request (from ``/proc``); each worker's resident memory
(RSS) after the warm-up, after every round and at the end. JSON to
``bench/results/mixed-<timestamp>.json`` and ``bench/results/mixed-latest.json``.
"""

from __future__ import annotations

import argparse
import array
import collections
import datetime
import http.client
import json
import multiprocessing
import os
import random
import resource
import secrets
import string
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "src")) if p not in sys.path]

from bench.run_search import (  # noqa: E402
    HOST,
    NEEDS,
    Probe,
    _children,
    bench_environment,
    free_port,
    git_commit,
    machine,
    start_server,
    stop_server,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results"
DATA_FILE = RESULTS / "mixed-data.json"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"  # not run_search.py's database 2
ASSESSMENT_PATH = "/api/v1/signalling/assessments"
REFERRALS_API = "/api/v1/referrals"
TARGET_RPS = 250.0
TARGET_P95_MS = 100.0
TARGET_RSS_GROWTH = 0.10  # "flat": at most 10 % more at the end than after the warm-up

#: Actions per 100 requests at a write share of 5 %. The reads are one request each; a new
#: referral is three writes (create, consent, send), an accept one read (its version) and one
#: write, a service edit one read (the form) and one write (the save): 0.8 x 3 + 0.8 + 1.8 = 5.0 writes per ~102 requests.
READS = {"search": 35.0, "pathway": 25.0, "assessment": 10.0, "inbox": 10.0, "referral": 15.0}
WRITES = {"new_referral": 0.8, "accept": 0.8, "service_edit": 1.8}
EXPECTED = {
    "bare": 200,
    "search": 200,
    "pathway": 200,
    "assessment": 200,
    "inbox": 200,
    "referral": 200,
    "referral_create": 201,
    "referral_consent": 201,
    "referral_send": 200,
    "referral_etag": 200,
    "referral_accept": 200,
    "service_edit_form": 200,
    "service_edit_save": 302,
}
WRITE_KINDS = {
    "referral_create",
    "referral_consent",
    "referral_send",
    "referral_accept",
    "service_edit_save",
}
CONSENT_CATEGORIES = ["identity_contact", "pregnancy", "situations", "handover_note"]
#: A new referral's second and third writes: the client's consent, then sending it (`If-Match: "1"`).
CONSENT = {"data_categories": CONSENT_CATEGORIES, "method": "verbal"}
SEND = {"to": "requested"}


def new_referral_body(n: int, receiver_service_id: str) -> dict[str, Any]:
    """A new referral as a professional's system posts it; ``n`` makes its client differ."""
    due = datetime.date.today() + datetime.timedelta(days=120)
    return {
        "kind": "prenatal_home_visit",
        "service": receiver_service_id,
        "client": {
            "given_name": "Bench",
            "family_name": f"Mix {n}",
            "birth_date": f"{1985 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "phone": "06 00000000",
            "municipality": "GM0090",
            "language": "nl",
        },
        "phase": "pregnancy",
        "due_date": due.isoformat(),
        "urgency": "routine",
        "handover_note": "Bench: gemengd verkeer.",
        "contact_preference": "contact_client",
        "prenatal_home_visit": {"gestational_age_weeks": 22, "parity": 0},
    }


# --- The plan: what the clients request ---------------------------------------------------------


@dataclass
class Plan:
    port: int
    searches: list[str]
    pathways: list[str]
    assessments: list[bytes]
    referral_ids: list[str]
    service_ids: list[str]
    receiver_service_id: str
    cookies: dict[str, str]
    csrf: str
    weights: dict[str, float]
    pending: list[str] = field(default_factory=list)  # sent referrals waiting to be accepted


@dataclass
class Tally:
    """Latencies, errors and statuses per kind (one phase, merged over clients)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: collections.defaultdict(int))
    statuses: dict[str, dict[str, int]] = field(
        default_factory=lambda: collections.defaultdict(lambda: collections.defaultdict(int))
    )
    seconds: float = 0.0
    worker_cpu_s: float = 0.0
    database_cpu_s: float = 0.0
    #: The client processes' own CPU (the load driver, on the same CPUs as the server).
    client_cpu_s: float = 0.0

    def merge(self, other: Tally) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind] += values
        for kind, count in other.errors.items():
            self.errors[kind] += count
        for kind, statuses in other.statuses.items():
            for status, count in statuses.items():
                self.statuses[kind][status] += count
        self.seconds += other.seconds
        self.worker_cpu_s += other.worker_cpu_s
        self.database_cpu_s += other.database_cpu_s
        self.client_cpu_s += other.client_cpu_s

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def summary(self, kinds: list[str] | None = None) -> dict[str, Any]:
        kinds = kinds if kinds is not None else list(self.latencies)
        values = sorted(v for kind in kinds for v in self.latencies.get(kind, []))
        requests = len(values)
        errors = sum(self.errors.get(kind, 0) for kind in kinds)
        return {
            "requests": requests,
            "errors": errors,
            "rps": round(requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(_percentile(values, 50), 2),
            "p95_ms": round(_percentile(values, 95), 2),
            "p99_ms": round(_percentile(values, 99), 2),
        }


def _percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


# --- The client ---------------------------------------------------------------------------------


class PostForms(HTMLParser):
    """The fields of every POST form on a page (``forms``), as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = []
            self.forms.append(self._fields)
        fields = self._fields
        name = a.get("name")
        if fields is None:
            return
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "image", "reset", "file"}:
                fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        fields = self._fields
        if tag == "form":
            self._fields = None
        elif fields is None:
            return
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


class Client:
    """One client process: one connection, its own random stream, its own tally."""

    def __init__(self, plan: Plan, seed: int, pending: list[str]) -> None:
        self.plan = plan
        self.rng = random.Random(seed)
        self.pending = collections.deque(pending)
        self.created: list[str] = []
        self.connection = http.client.HTTPConnection(HOST, plan.port, timeout=60)
        self.latencies: dict[str, array.array[float]] = collections.defaultdict(
            lambda: array.array("d")
        )
        self.errors: dict[str, int] = collections.defaultdict(int)
        self.statuses: dict[str, dict[str, int]] = collections.defaultdict(
            lambda: collections.defaultdict(int)
        )
        self.edits = 0

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        user: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if user:
            sent["Cookie"] = f"{self.plan.cookies[user]}; csrftoken={self.plan.csrf}"
            if method != "GET":
                sent["X-CSRFToken"] = self.plan.csrf
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                payload = response.read()
            except (http.client.HTTPException, OSError) as error:
                self.connection.close()
                if attempt == 0 and method == "GET":
                    continue  # a connection the server closed while idle: once more
                self.latencies[kind].append((time.perf_counter() - started) * 1000)
                self.errors[kind] += 1
                self.statuses[kind][type(error).__name__] += 1
                return 0, {}, b""
            self.latencies[kind].append((time.perf_counter() - started) * 1000)
            self.statuses[kind][str(response.status)] += 1
            if response.status != EXPECTED[kind]:
                self.errors[kind] += 1
            return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
        raise AssertionError("unreachable")

    # Reads

    def search(self) -> None:
        self.request("search", "GET", self.rng.choice(self.plan.searches))

    def pathway(self) -> None:
        self.request("pathway", "GET", self.rng.choice(self.plan.pathways))

    def assessment(self) -> None:
        body = self.rng.choice(self.plan.assessments)
        json_type = {"Content-Type": "application/json"}
        self.request("assessment", "POST", ASSESSMENT_PATH, body, headers=json_type)

    def inbox(self) -> None:
        self.request("inbox", "GET", "/verwijzingen/inbox/", user="intake")

    def referral(self) -> None:
        pool = self.plan.referral_ids
        pick = self.rng.choice(self.created) if self.created and self.rng.random() < 0.2 else None
        self.request(
            "referral", "GET", f"/verwijzingen/{pick or self.rng.choice(pool)}/", user="intake"
        )

    # Writes

    def _api(
        self, kind: str, user: str, path: str, data: dict[str, Any], etag: str | None = None
    ) -> Any:
        """POST ``data`` as JSON; the decoded answer, or None when the status was unexpected."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if etag:
            headers["If-Match"] = etag
        body = json.dumps(data).encode()
        status, _, answer = self.request(kind, "POST", path, body, user, headers)
        return json.loads(answer) if status == EXPECTED[kind] else None

    def new_referral(self) -> None:
        created = self._api(
            "referral_create",
            "professional",
            REFERRALS_API,
            new_referral_body(self.rng.randrange(1_000_000), self.plan.receiver_service_id),
        )
        if not created:
            return
        base = f"{REFERRALS_API}/{created['id']}"
        if not self._api("referral_consent", "professional", f"{base}/consents", CONSENT):
            return
        if self._api("referral_send", "professional", f"{base}/transitions", SEND, '"1"'):
            self.pending.append(created["id"])
            self.created.append(created["id"])

    def accept(self) -> None:
        if not self.pending:
            self.new_referral()
            return
        referral_id = self.pending.popleft()
        # As a client does: read the referral's current version first (the intake handler's
        # first reading of a referral marks it received, which raises its version; a version
        # guessed from the sender's last write is answered 412, rightly).
        status, headers, _ = self.request(
            "referral_etag",
            "GET",
            f"{REFERRALS_API}/{referral_id}",
            user="intake",
            headers={"Accept": "application/json"},
        )
        if status != EXPECTED["referral_etag"] or "etag" not in headers:
            return
        path = f"{REFERRALS_API}/{referral_id}/transitions"
        self._api("referral_accept", "intake", path, {"to": "accepted"}, headers["etag"])

    def service_edit(self) -> None:
        service_id = self.rng.choice(self.plan.service_ids)
        path = f"/sociale-kaart/diensten/{service_id}/bewerken/"
        status, _, body = self.request("service_edit_form", "GET", path, user="editor")
        if status != 200:
            return
        page = PostForms()
        page.feed(body.decode("utf-8", "replace"))
        form = next((f for f in page.forms if any(name == "description" for name, _ in f)), None)
        if form is None:
            self.errors["service_edit_form"] += 1  # the page changed: nothing to edit
            self.statuses["service_edit_form"]["no form with a description"] += 1
            return
        self.edits += 1
        marker = f" (bench {os.getpid()}-{self.edits})"
        fields = []
        for name, value in form:
            if name == "description":
                value = value.split(" (bench ")[0] + marker
            elif name == "csrfmiddlewaretoken":
                value = self.plan.csrf
            fields.append((name, value))
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        self.request(
            "service_edit_save", "POST", path, urlencode(fields).encode(), "editor", form_type
        )

    def bare(self) -> None:
        self.request("bare", "GET", "/bench/bare")


def _client_main(plan: Plan, mode: str, seed: int, seconds: float, requests: int,
                 pending: list[str], start: Any, pipe: Any) -> None:  # fmt: skip
    client = Client(plan, seed, pending)
    actions = list(plan.weights)
    weights = [plan.weights[a] for a in actions]
    start.wait()
    deadline = time.monotonic() + seconds
    done = 0
    while done < requests and time.monotonic() < deadline:
        if mode == "mixed":
            getattr(client, client.rng.choices(actions, weights)[0])()
        else:
            getattr(client, mode)()  # "bare" or one action alone (--by-kind)
        done = sum(len(v) for v in client.latencies.values())
    client.connection.close()
    pipe.send(
        (
            {k: v.tobytes() for k, v in client.latencies.items()},
            dict(client.errors),
            {k: dict(v) for k, v in client.statuses.items()},
            list(client.pending),
        )
    )
    pipe.close()


def run_phase(
    plan: Plan, mode: str, concurrency: int, seconds: float, requests: int, seed: int,
    probe: Probe | None,
) -> Tally:  # fmt: skip
    """``concurrency`` client processes until ``seconds`` have passed or ``requests`` are done."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    pipes = [context.Pipe(duplex=False) for _ in range(concurrency)]
    share = [plan.pending[i::concurrency] for i in range(concurrency)]
    per_client = max(1, requests // concurrency) if requests else sys.maxsize
    processes = [
        context.Process(
            target=_client_main,
            args=(plan, mode, seed * 100 + i, seconds, per_client, share[i], start, sender),
            daemon=True,
        )
        for i, (_, sender) in enumerate(pipes)
    ]
    for process in processes:
        process.start()
    time.sleep(0.2)
    tally = Tally()
    before = probe.snapshot() if probe else (0.0, 0.0)
    started = time.perf_counter()
    start.set()
    pending: list[str] = []
    for receiver, _ in pipes:
        raw, errors, statuses, left = receiver.recv()
        for kind, data in raw.items():
            values = array.array("d")
            values.frombytes(data)
            tally.latencies[kind] += values.tolist()
        for kind, count in errors.items():
            tally.errors[kind] += count
        for kind, counts in statuses.items():
            for status, count in counts.items():
                tally.statuses[kind][status] += count
        pending += left
    tally.seconds = time.perf_counter() - started
    clients_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for process in processes:
        process.join()
    clients_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # (gunicorn: not yet waited for)
    tally.client_cpu_s = (clients_after.ru_utime + clients_after.ru_stime) - (
        clients_before.ru_utime + clients_before.ru_stime
    )
    if probe:
        after = probe.snapshot()
        tally.worker_cpu_s, tally.database_cpu_s = after[0] - before[0], after[1] - before[1]
    plan.pending = pending
    return tally


# --- Inputs -------------------------------------------------------------------------------------


def session_cookies(data: dict[str, Any]) -> dict[str, str]:
    from bench.referrals.run import session_cookie

    return {
        "intake": session_cookie(data["intake_user_id"]),
        "professional": session_cookie(data["professional_user_id"]),
        "editor": session_cookie(data["editor_user_id"]),
    }


def search_paths(rng: random.Random, count: int) -> list[str]:
    from kansrijk.places.models import PostcodeArea

    areas = list(
        PostcodeArea.objects.filter(latitude__isnull=False).values_list("code", "population_2021")
    )
    codes = rng.choices([c for c, _ in areas], weights=[max(p or 0, 10) for _, p in areas], k=count)
    paths = []
    for code, need in zip(codes, rng.choices(NEEDS, k=count), strict=True):
        paths.append(
            f"/sociale-kaart/?{urlencode({'postcode': code, **({'q': need} if need else {})})}"
        )
    return paths


def editable_services(data: dict[str, Any]) -> Any:
    """The ids of the services the bench editor may change and whose form is valid as it
    stands: the generated map has some referral methods without the phone number or address
    the editor form requires."""
    from django.db.models import Exists, OuterRef

    from kansrijk.directory.models import ReferralMethod, Service

    return (
        Service.objects.filter(
            service_areas__municipality_id__in=data["editor_municipalities"], status="active"
        )
        .exclude(
            Exists(
                ReferralMethod.objects.filter(
                    service=OuterRef("pk"),
                    method__in=["phone", "secure_mail", "referral_form"],
                    contact="",
                )
            )
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def build_plan(data: dict[str, Any], port: int, seed: int, write_share: float) -> Plan:
    from bench.pathways.run import targets
    from kansrijk.referrals.models import Referral

    rng = random.Random(seed)
    calls = targets(rng, 20_000)
    intake_org = (
        Referral.objects.filter(pk=data["referral_ids"][0])
        .values_list("receiver_organisation_id", flat=True)
        .get()
    )
    # Referral pages: the bench referrals and a sample of the intake organisation's others.
    sample = list(
        Referral.objects.filter(receiver_organisation_id=intake_org)
        .exclude(status="draft")
        .order_by("?")
        .values_list("pk", flat=True)[:2000]
    )
    services = list(editable_services(data).order_by("?")[:1000])
    if not services:
        raise SystemExit("No service the bench editor can change: run bench/mixed/generate.py")
    factor = write_share / 0.05
    weights = {**READS, **{name: w * factor for name, w in WRITES.items()}}
    return Plan(
        port=port,
        searches=search_paths(rng, 20_000),
        pathways=[call.path for call in calls["pathway"]],
        assessments=[call.body for call in calls["assessment"] if call.body],
        referral_ids=[*data["referral_ids"], *(str(pk) for pk in sample)],
        service_ids=[str(pk) for pk in services],
        receiver_service_id=data["receiver_service_id"],
        cookies=session_cookies(data),
        csrf="".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32)),
        weights=weights,
    )


def cost_by_kind(
    plan: Plan, concurrency: int, seconds: float, seed: int, probe: Probe
) -> dict[str, Any]:
    """Each action of the mix alone for ``seconds``, and the bare view: what one request costs.

    A write action is several requests (a new referral: create, consent, send), so its CPU is
    per request of the action, with the requests' kinds listed.
    """
    costs: dict[str, Any] = {}
    for action in ["bare", *plan.weights]:
        tally = run_phase(plan, action, concurrency, seconds, 0, seed, probe)
        requests = tally.requests
        costs[action] = {
            **tally.summary(),
            "kinds": sorted(tally.latencies),
            "worker_cpu_ms_per_request": round(tally.worker_cpu_s * 1000 / requests, 2)
            if requests
            else None,
            "database_cpu_ms_per_request": round(tally.database_cpu_s * 1000 / requests, 2)
            if requests
            else None,
        }
        print(
            f"alone: {action:14} {costs[action]['rps']:>7} req/s, CPU per request: workers "
            f"{costs[action]['worker_cpu_ms_per_request']} ms, PostgreSQL "
            f"{costs[action]['database_cpu_ms_per_request']} ms ({requests} requests, "
            f"{costs[action]['errors']} errors)"
        )
    return costs


def worker_rss_mb(master_pid: int) -> dict[str, float]:
    """Resident memory of each gunicorn worker (MB), by pid."""
    rss: dict[str, float] = {}
    for pid in _children(master_pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[str(pid)] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            continue
    return rss


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of the mix measured")
    parser.add_argument("--warmup", type=float, default=60, help="seconds of the mix first")
    parser.add_argument("--rounds", type=int, default=10, help="bare bursts between the mix")
    parser.add_argument("--bare-requests", type=int, default=400, help="per bare burst")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", help="gunicorn's (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread)")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes")
    parser.add_argument("--write-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_MIXED_REDIS_URL", DEFAULT_REDIS_URL)
    )
    parser.add_argument("--no-warm-cards", action="store_true", help="start with a cold cache")
    parser.add_argument(
        "--by-kind",
        type=float,
        default=0,
        metavar="SECONDS",
        help="after the warm-up, each action alone for SECONDS: CPU per request by kind",
    )
    args = parser.parse_args(argv)
    if not DATA_FILE.exists():
        raise SystemExit(f"{DATA_FILE} is missing: run bench/mixed/generate.py first")
    data = json.loads(DATA_FILE.read_text())
    load_before = _loadavg()
    env = bench_environment(data["database_url"])
    env["REDIS_URL"] = args.redis_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)  # the code may be newer than the data
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    if not args.no_warm_cards:
        started = time.perf_counter()
        call_command("warm_search_cache", language=["nl"], verbosity=0)
        print(f"warm-search-cache: {time.perf_counter() - started:.0f} s")
    port = free_port()
    plan = build_plan(data, port, args.seed, args.write_share)
    connection.close()  # the client processes are forked from here
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = start_server(
        port, args.workers, args.worker_class, env, RESULTS / "mixed-gunicorn.log", args.threads
    )
    mixed, bare = Tally(), Tally()
    rounds: list[dict[str, Any]] = []
    rss: dict[str, Any] = {}
    by_kind: dict[str, Any] = {}
    try:
        wait_until_up(port, server)
        probe = Probe(server.pid, data["database_url"].rsplit("/", 1)[-1])
        print(f"warm-up: {args.warmup:.0f} s of the mix")
        run_phase(plan, "mixed", args.concurrency, args.warmup, 0, args.seed, None)
        rss["after_warmup"] = worker_rss_mb(server.pid)
        if args.by_kind:
            by_kind = cost_by_kind(plan, args.concurrency, args.by_kind, args.seed, probe)
        for number in range(1, args.rounds + 1):
            b = run_phase(plan, "bare", args.concurrency, 120, args.bare_requests, number, probe)
            m = run_phase(
                plan, "mixed", args.concurrency, args.duration / args.rounds, 0, number, probe
            )
            bare.merge(b)
            mixed.merge(m)
            row: dict[str, Any] = {
                "round": number,
                "bare": b.summary(),
                "mixed": m.summary(),
                "mixed_errors": {k: v for k, v in m.errors.items() if v},
                "rss_mb": worker_rss_mb(server.pid),
                "loadavg": _loadavg(),
            }
            rounds.append(row)
            print(
                f"round {number}: bare {row['bare']['rps']} req/s; mix {row['mixed']['rps']} "
                f"req/s, p95 {row['mixed']['p95_ms']} ms, {row['mixed']['errors']} errors; "
                f"RSS {sorted(row['rss_mb'].values())} MB; load {row['loadavg']}"
            )
        rss["end"] = worker_rss_mb(server.pid)
    finally:
        stop_server(server)
    report = build_report(args, data, mixed, bare, rounds, rss, load_before)
    if args.by_kind:
        report["by_kind"] = by_kind
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(report, indent=2)
    (RESULTS / f"mixed-{stamp}.json").write_text(text)
    (RESULTS / "mixed-latest.json").write_text(text)
    print_report(report)
    print(f"JSON: bench/results/mixed-{stamp}.json")
    return 0


def build_report(
    args: argparse.Namespace, data: dict[str, Any], mixed: Tally, bare: Tally,
    rounds: list[dict[str, Any]], rss: dict[str, Any], load_before: str,
) -> dict[str, Any]:  # fmt: skip
    overall = mixed.summary()
    kinds = {kind: mixed.summary([kind]) for kind in sorted(mixed.latencies)}
    for kind, summary in kinds.items():
        summary["share"] = round(summary["requests"] / overall["requests"], 4)
        summary["statuses"] = dict(mixed.statuses[kind])
    writes = sum(kinds[k]["requests"] for k in kinds if k in WRITE_KINDS)
    bare_summary = bare.summary()
    start_rss = sum(rss.get("after_warmup", {}).values())
    end_rss = sum(rss.get("end", {}).values())
    same_workers = set(rss.get("after_warmup", {})) == set(rss.get("end", {}))
    growth = (end_rss / start_rss - 1) if start_rss and same_workers else None

    def per_request(seconds: float, requests: int) -> float:
        return round(seconds * 1000 / requests, 2) if requests else 0.0

    return {
        "commit": git_commit(),
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": _loadavg(),
        "data": {k: data[k] for k in ("services", "pathways", "referrals", "access_events")},
        "settings": {
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
            "bare_requests_per_round": args.bare_requests,
            "write_share": args.write_share,
            "warm_cards": not args.no_warm_cards,
        },
        "mixed": {
            **overall,
            "write_share": round(writes / overall["requests"], 4) if overall["requests"] else 0,
            "worker_cpu_ms_per_request": per_request(mixed.worker_cpu_s, overall["requests"]),
            "database_cpu_ms_per_request": per_request(mixed.database_cpu_s, overall["requests"]),
            "client_cpu_ms_per_request": per_request(mixed.client_cpu_s, overall["requests"]),
            "kinds": kinds,
        },
        "bare": {
            **bare_summary,
            "worker_cpu_ms_per_request": per_request(bare.worker_cpu_s, bare_summary["requests"]),
        },
        "ratio_to_bare": round(overall["rps"] / bare_summary["rps"], 3)
        if bare_summary["rps"]
        else None,
        "rss_mb": {
            **rss,
            "total_after_warmup": round(start_rss, 1),
            "total_end": round(end_rss, 1),
            "growth": round(growth, 3) if growth is not None else None,
            "same_workers": same_workers,
        },
        "rounds": rounds,
        "targets": {
            "rps": TARGET_RPS,
            "rps_met": overall["rps"] >= TARGET_RPS,
            "p95_ms": TARGET_P95_MS,
            "p95_met": overall["p95_ms"] <= TARGET_P95_MS,
            "errors_met": overall["errors"] == 0,
            "rss_growth_max": TARGET_RSS_GROWTH,
            "rss_flat_met": growth is not None and growth <= TARGET_RSS_GROWTH,
        },
    }


def print_report(report: dict[str, Any]) -> None:
    m, b = report["mixed"], report["bare"]
    print(f"\n{'kind':20} {'share':>7} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for kind, s in m["kinds"].items():
        print(
            f"{kind:20} {s['share']:>7.1%} {s['requests']:>9} {s['p50_ms']:>8} {s['p95_ms']:>8} "
            f"{s['errors']:>7}"
        )
    print(
        f"\nmix:  {m['rps']} req/s, p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms, p99 {m['p99_ms']} "
        f"ms, {m['errors']} errors in {m['requests']} requests ({m['write_share']:.1%} writes); "
        f"CPU per request: workers {m['worker_cpu_ms_per_request']} ms, PostgreSQL "
        f"{m['database_cpu_ms_per_request']} ms, the clients {m['client_cpu_ms_per_request']} ms"
    )
    print(
        f"bare: {b['rps']} req/s, p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms; "
        f"mix / bare {report['ratio_to_bare']}"
    )
    rss = report["rss_mb"]
    print(
        f"worker RSS: {rss['total_after_warmup']} MB after the warm-up, {rss['total_end']} MB at "
        f"the end (growth {rss['growth']}; same workers: {rss['same_workers']})"
    )
    print(f"load average before {report['loadavg_before']}, after {report['loadavg_after']}")
    print(json.dumps(report["targets"]))


if __name__ == "__main__":
    raise SystemExit(main())
