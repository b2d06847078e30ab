"""What writing the search results costs: Django's templates against the hand-written renderer.

    uv run python bench/render_results.py                    # 20 rows, the bench database
    uv run python bench/render_results.py --rows 20 --repeat 300 --postcode 3062 --q schulden
    uv run --with jinja2 python bench/render_results.py      # also Jinja2 (not a dependency)

Runs in-process with ``bench.settings`` against the bench database: one search (its result
cards from the cache, as on a running server), then the status line and the results written
``--repeat`` times each way — ``directory/_status.html`` + ``directory/_results.html`` through
Django's template engine, and ``search.html.status_html`` + ``results_html`` — checking that
both give the same bytes. With Jinja2 importable it also times the same two templates
translated to Jinja2 by hand below (same markup; Django's ``floatformat`` and ``url`` become
calls), as the compiled-template alternative. Prints the median per page in milliseconds.
``docs/adr/0001-quick-search-path.md`` records the outcome.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench"

JINJA_RESULT = """<article class="kr-dir-card" aria-labelledby="service-{{ row.service_id }}">
  <div class="kr-dir-card__head">
    <h3 class="utrecht-heading-3 kr-dir-card__title" id="service-{{ row.service_id }}"><a class="utrecht-link" href="{{ service_url(row.service_id) }}">{{ row.name }}</a></h3>
    {% if row.distance_km is not none %}<p class="kr-dir-card__distance"><span class="kr-visually-hidden">{{ distance_label }} </span>{{ km(row.distance_km) }} km</p>{% endif %}
  </div>
  {% if row.why %}<p class="utrecht-paragraph kr-dir-card__why">{{ row.why }}</p>{% endif %}
  {% if area and not row.serves_municipality %}{{ note }}{% endif %}
  {{ row.card }}
</article>
"""
JINJA_RESULTS = """{% for row in rows %}
  <li class="kr-dir__item">{% include "result" %}</li>
{% endfor %}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--postcode", default="3062")
    parser.add_argument("--q", default="schulden")
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.template.loader import render_to_string
    from django.utils import translation

    from kansrijk.directory.search import cards, ranking
    from kansrijk.directory.search import html as search_html
    from kansrijk.places.selectors import lookup_postcode_kept

    translation.activate("nl")
    area = lookup_postcode_kept(args.postcode)
    page = ranking.rank_page(text=args.q, postcode=area, per_page=args.rows)
    cards.attach_cards(list(page.object_list), "nl")
    context = {"page": page, "area": area, "query_string": f"q={args.q}"}

    def django_way() -> str:
        return render_to_string("directory/_status.html", context) + render_to_string(
            "directory/_results.html", context
        )

    def by_hand() -> str:
        return search_html.status_html(page, area) + search_html.results_html(
            page, area, context["query_string"]
        )

    ways: dict[str, Any] = {"django templates": django_way, "by hand": by_hand}
    jinja = _jinja_way(page, area)
    if jinja is not None:
        ways["jinja2 (results list only)"] = jinja
    print(f"{len(page.object_list)} rows of {page.paginator.count}, {args.repeat} times each")
    for name, way in ways.items():
        way()  # warm
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            way()
            times.append(time.perf_counter() - started)
        print(f"  {name:28} median {statistics.median(times) * 1000:7.3f} ms")
    same = "same bytes" if django_way() == by_hand() else "DIFFERENT"
    print(f"  django templates vs by hand: {same}")
    return 0


def _jinja_way(page: Any, area: Any) -> Any:
    try:
        import jinja2
    except ImportError:
        return None
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.translation import gettext
    from markupsafe import Markup

    from kansrijk.directory.search import html as search_html

    environment = jinja2.Environment(
        loader=jinja2.DictLoader({"result": JINJA_RESULT, "results": JINJA_RESULTS}),
        autoescape=True,
    )
    template = environment.get_template("results")
    note = Markup(  # noqa: S704 - our own text, the name escaped
        '<p class="utrecht-paragraph kr-dir-card__note">'
        + search_html._texts()["note"] % {"municipality": escape(area.municipality.name)}
        + "</p>"
    )

    def render() -> str:
        return template.render(
            rows=page.object_list,
            area=area,
            note=note,
            distance_label=gettext("Distance:"),
            km=search_html.km,
            service_url=lambda service_id: reverse("directory:service", args=[service_id]),
        )

    return render


if __name__ == "__main__":
    raise SystemExit(main())
