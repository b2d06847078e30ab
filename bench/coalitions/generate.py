"""Fill the coalition benchmark's database: the demo (three coalitions with their partners,
rounds, actions, client journeys and referrals), and in Smallingerland an open Analysetool round
answered by many partners, a previous round, and many improvement actions.

    uv run python bench/coalitions/generate.py                  # 60 respondents, 150 actions
    uv run python bench/coalitions/generate.py --respondents 120 --actions 300

The database (``BENCH_COALITIONS_DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/kansrijk_bench_coalitions``) must have "bench" in its name;
it is created and migrated when missing. What the run needs is written to
``bench/coalitions/results/data.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.pathways.run import setup_django  # noqa: E402

RESULTS = HERE / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_coalitions"
COALITION = "Kansrijke Start Smallingerland"


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    if "bench" not in name:
        raise SystemExit(f"refusing to fill {name!r}: the name must contain 'bench'")
    if url.startswith("postgres"):
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
            capture_output=True,
            check=False,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_COALITIONS_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--respondents", type=int, default=60)
    parser.add_argument("--actions", type=int, default=150)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    ensure_database(args.database_url)
    started = time.perf_counter()
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from kansrijk.accounts.models import RoleAssignment, User
    from kansrijk.accounts.roles import Role
    from kansrijk.assessments import services as assessments
    from kansrijk.assessments.models import Instrument
    from kansrijk.coalitions import services
    from kansrijk.coalitions.models import Coalition, ImprovementAction
    from kansrijk.core.demo import run_demo_loaders
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if not Municipality.objects.exists():
        load_reference_data()
    run_demo_loaders()
    rng = random.Random(args.seed)
    coalition = Coalition.objects.get(name=COALITION)
    coordinator = User.objects.get(username="coordinator.smallingerland")
    organisations = [m.organisation for m in coalition.members.select_related("organisation")]
    version = Instrument.objects.get(code="analysetool").current_version
    assert version is not None
    statements = list(version.statements.values_list("code", flat=True))

    # Partners enough to answer, each a user of a member organisation.
    people = []
    for i in range(args.respondents):
        user, _created = User.objects.get_or_create(
            username=f"bench.partner{i}",
            defaults={
                "first_name": f"Partner {i}",
                "organisation": organisations[i % len(organisations)],
            },
        )
        people.append(user)
    today = datetime.date.today()
    round_ = coalition.assessment_rounds.filter(
        title="Benchmark: Analysetool", closed_at=None
    ).first()
    if round_ is None:
        round_, _links = assessments.open_round(
            user=coordinator,
            coalition=coalition,
            instrument_version=version,
            closes_on=today + datetime.timedelta(days=300),
            title="Benchmark: Analysetool",
            respondents=people,
        )
        for user in people:
            answers = {
                code: assessments.AnswerInput(
                    None if rng.random() < 0.1 else rng.randint(1, 5),
                    "Benchmark-toelichting." if rng.random() < 0.15 else "",
                )
                for code in statements
            }
            assessments.answer_as_user(user=user, round_=round_, answers=answers, submit=True)
    existing = ImprovementAction.objects.filter(coalition=coalition).count()
    pathways = list(services.linkable_pathways(coalition)[:5])
    for i in range(existing, args.actions):
        services.create_action(
            user=coordinator,
            coalition=coalition,
            data=services.ActionInput(
                title=f"Benchmarkactie {i}",
                due_on=today + datetime.timedelta(days=rng.randint(-60, 200)),
                organisation=rng.choice(organisations),
                person=f"Persoon {i}",
                pathways=rng.sample(pathways, k=min(len(pathways), 2)),
                indicator_codes=["vroeggeboorte"],
            ),
        )
    assert RoleAssignment.objects.filter(user=coordinator, role=Role.COALITION_COORDINATOR).exists()
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        "database_url": args.database_url,
        "coalition_id": coalition.pk,
        "round_id": round_.pk,
        "coordinator_id": coordinator.pk,
        "respondents": round_.responses.filter(submitted=True).count(),
        "statements": len(statements),
        "actions": ImprovementAction.objects.filter(coalition=coalition).count(),
    }
    (RESULTS / "data.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(json.dumps(data), f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
