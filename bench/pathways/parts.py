"""The pathway page's heading and body: rendered from the templates whole against put together
from the parts kept per shape with slots (``pathways/views.py``) — the measurement behind
docs/adr/0006-pathway-parts-with-slots.md. Needs the data of ``generate.py``.

    uv run python bench/pathways/parts.py
    BENCH_PATHWAYS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_pathway_bench \\
        uv run python bench/pathways/parts.py --municipalities 60

For every page (situation and phase) of ``--municipalities`` municipalities, in Dutch and
English: CPU per page (heading and body) rendering ``_pathway_head.html`` and
``_pathway_body.html`` whole, then from kept parts as a worker meets the pages for the first
time (parts filled as it goes), then with every part kept (a body not cached yet); and whether
all three give the same bytes (the run stops at the first difference).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_pathways"


class _Coalition:
    """The coalition as the heading reads it of the model (``{{ x.name }}``, ``{{ x }}``)."""

    def __init__(self, name: str, demo: bool) -> None:
        self.name = name
        self.demo = demo

    def __str__(self) -> str:
        return f"{self.name} (demo)" if self.demo else self.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PATHWAYS_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pathways.settings"
    for path in (str(ROOT), str(ROOT / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()
    from django.template.loader import render_to_string
    from django.utils import translation

    from kansrijk.core import freshness
    from kansrijk.pathways import cache as page_cache
    from kansrijk.pathways import views
    from kansrijk.pathways.resolution import municipality_pathways
    from kansrijk.pathways.selectors import phase_label
    from kansrijk.pathways.steps import as_step_views, version_steps
    from kansrijk.places.models import Municipality

    codes = sorted(Municipality.objects.values_list("code", flat=True))
    random.Random(args.seed).shuffle(codes)
    pages: list[tuple[Any, Any, str, Any]] = []
    for code in codes[: args.municipalities]:
        table = municipality_pathways(code)
        for (_situation, phase), choice in table.choices.items():
            steps = version_steps(choice.version_id, with_versions=table.version_ids)
            pages.append((table, choice, phase, steps))

    def whole(table: Any, choice: Any, phase: str, steps: Any) -> str:
        head = render_to_string(
            "pathways/_pathway_head.html",
            {
                "version": choice,
                "pathway": {
                    "situation": {"name": choice.situation_name},
                    "coalition": _Coalition(choice.coalition_name, choice.coalition_is_demo),
                },
                "resolved": {
                    "municipality": {"code": table.code, "name": table.name},
                    "phase": phase,
                    "fallback": choice.fallback,
                },
                "phase_label": phase_label(phase),
                "is_current": True,
            },
        )
        body = render_to_string(
            page_cache.BODY_TEMPLATE,
            {"version": choice, "pathway": choice, "steps": as_step_views(steps)},
        )
        return head + body

    run = [0]

    def from_parts(table: Any, choice: Any, phase: str, steps: Any) -> str:
        run[0] += 1  # another key each time: the body is put together, not read from the cache
        return views._resolved_head(choice, table, phase) + views._body(
            choice, steps, f"parts-bench-{run[0]}"
        )

    def timed(render: Any) -> tuple[float, list[str]]:
        started = time.process_time()
        out = [render(*page) for page in pages]
        return (time.process_time() - started) * 1000 / len(pages), out

    print(f"{len(pages)} pages of {args.municipalities} municipalities, CPU ms per page:")
    for language in ("nl", "en"):
        with translation.override(language):
            timed(whole)  # templates loaded, translations read
            template_ms, expected = timed(whole)
            freshness.forget_all()
            first_ms, first = timed(from_parts)
            kept_ms, kept = timed(from_parts)
        for index, html in enumerate(expected):
            if not first[index] == kept[index] == html:
                table, choice, phase, _steps = pages[index]
                print(f"DIFFERENT: {table.code} {choice.title!r} {phase} ({language})")
                return 1
        print(
            f"  {language}: templates whole {template_ms:.3f}, parts met for the first time "
            f"{first_ms:.3f}, every part kept {kept_ms:.3f} (same bytes: {len(pages)} pages)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
