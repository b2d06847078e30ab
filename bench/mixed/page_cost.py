"""In-process CPU per request of the mixed benchmark's signed-in pages, on its national data.

One process, Django's test client, the bench settings (`bench.settings`, Redis cache database
3): the referral page (the intake handler opening referrals of the organisation), the inbox,
the service editor's form and its save (a changed description, as `run.py` sends it), and a
professional's new referral through the API: its creation, the client's consent and sending it
(each timed alone, the writes before it done untimed, the bodies as `run.py` posts them). It prints
the CPU time of the process per request and the queries of one request; with `--profile FILE`
a py-spy sample of the timed requests (raw format, for flame graphs). What a page costs with
no server, no other traffic and no network: the number to compare two versions of the code
back to back (`git stash`, run again), not a throughput.

    uv run python bench/mixed/page_cost.py                       # all four, 300 requests each
    uv run python bench/mixed/page_cost.py referral --requests 800
    uv run python bench/mixed/page_cost.py referral --profile bench/results/referral.spy
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "src")) if p not in sys.path]

from bench.mixed import run as mixed  # noqa: E402

#: A new referral's three writes, in their order (``run.py``'s kinds).
NEW_REFERRAL = ("referral_create", "referral_consent", "referral_send")
PAGES = ("referral", "inbox", "service_edit_form", "service_edit_save", *NEW_REFERRAL)


def _paths(page: str, data: dict[str, Any]) -> list[str]:
    from kansrijk.referrals.models import Referral

    if page == "inbox":
        return ["/verwijzingen/inbox/"]
    if page in NEW_REFERRAL:
        return [mixed.REFERRALS_API]
    if page == "referral":
        organisation = (
            Referral.objects.filter(pk=data["referral_ids"][0])
            .values_list("receiver_organisation_id", flat=True)
            .get()
        )
        # Opened before: no receipt is written (a first opening of a sent referral is one).
        ids = (
            Referral.objects.filter(receiver_organisation_id=organisation)
            .exclude(status__in=["draft", "requested"])
            .values_list("pk", flat=True)[:300]
        )
        return [f"/verwijzingen/{pk}/" for pk in ids]
    ids = mixed.editable_services(data).order_by("pk")[:100]  # as run.py chooses them
    return [f"/sociale-kaart/diensten/{pk}/bewerken/" for pk in ids]


class _Spy:
    """py-spy sampling this process while the requests are timed (``--profile``)."""

    def __init__(self, output: str | None) -> None:
        self.output, self.process = output, None

    def __enter__(self) -> _Spy:
        if self.output:
            command = ["py-spy", "record", "--pid", str(os.getpid()), "-r", "400", "-f", "raw"]
            self.process = subprocess.Popen(
                [*command, "-o", self.output],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)  # py-spy attaches
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait()


def measure(page: str, requests: int, data: dict[str, Any], profile: str | None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.referrals.run import session_cookie

    user = (
        "editor_user_id"
        if page.startswith("service_edit")
        else "professional_user_id"
        if page in NEW_REFERRAL
        else "intake_user_id"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    name, value = session_cookie(data[user]).split("=", 1)
    client.cookies[name] = value
    paths = _paths(page, data)
    rng = random.Random(1)

    def one(path: str, number: int) -> float:
        """One request; its CPU seconds (a save: the POST only, not the form before it; a write
        of a new referral: that write only, not the ones before it)."""
        if page in NEW_REFERRAL:
            return new_referral_write(path, number)
        if page != "service_edit_save":
            started = time.process_time()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return time.process_time() - started
        form_page = mixed.PostForms()
        form_page.feed(client.get(path).content.decode())
        form = next(f for f in form_page.forms if any(k == "description" for k, _ in f))
        body = urlencode(
            [
                (k, f"{v.split(' (bench ')[0]} (bench {os.getpid()}-{number})")
                if k == "description"
                else (k, v)
                for k, v in form
            ]
        )
        started = time.process_time()
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302, (path, response.status_code)
        return time.process_time() - started

    written_queries = 0  # the queries of the last timed write of a new referral

    def new_referral_write(path: str, number: int) -> float:
        nonlocal written_queries
        steps = [
            ("referral_create", path, mixed.new_referral_body(number, data["receiver_service_id"])),
            ("referral_consent", "{id}/consents", mixed.CONSENT),
            ("referral_send", "{id}/transitions", mixed.SEND),
        ]
        created: dict[str, Any] = {}
        for kind, target, body in steps[: NEW_REFERRAL.index(page) + 1]:
            headers = {"If-Match": '"1"'} if kind == "referral_send" else {}
            url = target.format(id=f"{path}/{created.get('id')}")
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()
                response = client.post(url, body, content_type="application/json", headers=headers)
                spent = time.process_time() - started
            assert response.status_code == mixed.EXPECTED[kind], (url, response.content[:300])
            created = created or response.json()
        written_queries = len(queries.captured_queries)  # the timed write's own
        return spent

    for number, path in enumerate(paths[:30]):  # warm the worker's caches
        one(path, number)
    with CaptureQueriesContext(connection) as queries:
        one(paths[0], 30)
    # now: the next request clears the log; a write of a new referral counts its own only
    count = written_queries if page in NEW_REFERRAL else len(queries.captured_queries)
    with _Spy(profile):
        spent = sum(one(rng.choice(paths), 100 + number) for number in range(requests))
    print(
        f"{page:18} {1000 * spent / requests:6.2f} ms CPU a request "
        f"({requests} requests, {count} queries)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help=f"of {', '.join(PAGES)} (default: all)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", help="py-spy's raw samples of the timed requests to FILE")
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    data = json.loads(mixed.DATA_FILE.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", data["database_url"])
    os.environ.setdefault("REDIS_URL", mixed.DEFAULT_REDIS_URL)
    import django

    django.setup()
    for page in args.pages or PAGES:
        measure(page, args.requests, data, args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
