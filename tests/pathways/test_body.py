"""The body of a pathway version (``pathways/_pathway_body.html``): its markup, and the same HTML
from model instances (the version page) as from the plain values kept per process (the pathway
page)."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateformat import format as date_format

from kansrijk.directory.models import ReferralMethod
from kansrijk.pathways import cache as page_cache
from kansrijk.pathways.models import StepKind
from kansrijk.pathways.resolution import PathwayChoice, municipality_pathways
from kansrijk.pathways.selectors import version_with_steps
from kansrijk.pathways.steps import SERVICE_FIELDS, as_step_views, services_stamp, version_steps
from tests.pathways.conftest import make_pathway, step

#: Two steps with a service (one with referral methods, one without) and one without, in
#: display order (urgent safety first), as ``steps.version_steps`` keeps them.
PLAIN_STEPS = (
    (
        2,
        "urgent_safety",
        "Bij <acuut> gevaar",
        "Bel 112.\r\nOf Veilig Thuis.",
        "",
        (
            "00000000-0000-0000-0000-0000000000aa",
            "Veilig Thuis & co",
            "temporarily closed",
            "Let op: 'zomer'",
            "",
            "",
            "https://vt.nl/?a=1&b=2",
            1,
            'GGD "Fryslân"',
            (
                ("phone", "0800-2000", "Dag en nacht."),
                ("secure_mail", "https://mail.example/x", ""),
            ),
        ),
    ),
    (0, "discuss", "Bespreek het", "", "Vraag open door.\nLuister.", None),
    (
        1,
        "refer",
        "Verwijs",
        "Met toestemming.",
        "",
        (
            "00000000-0000-0000-0000-0000000000bb",
            "Schuldhulp",
            "active",
            "",
            "Aanmelden via de gemeente.",
            "info@example.nl",
            "",
            3,
            None,
            (),
        ),
    ),
)

EXPECTED_BODY = """\
<div class="utrecht-paragraph kr-lead">Voor gezinnen &lt;met&gt; zorgen.</div>
<ol class="kr-pathway-steps">
  <li class="kr-pathway-step kr-pathway-step--urgent">
    <div class="kr-pathway-step__head">
      <h2 class="utrecht-heading-3 kr-pathway-step__title">Bij &lt;acuut&gt; gevaar</h2>
      <span class="kr-pathway-step__kind">Urgent: safety first</span>
    </div>
    <div class="utrecht-paragraph">Bel 112.<br>Of Veilig Thuis.</div>
<div class="kr-service">
  <p class="kr-service__name"><a class="utrecht-link" href="/sociale-kaart/diensten/00000000-0000-0000-0000-0000000000aa/">Veilig Thuis &amp; co</a></p>
  <p class="kr-service__org">GGD &quot;Fryslân&quot;</p>
  <p class="utrecht-paragraph kr-error">Status on the social map: Temporarily closed.</p>
  <p class="utrecht-paragraph"><strong>Notice:</strong> Let op: &#x27;zomer&#x27;</p>
  <p class="utrecht-paragraph"><strong>How to refer</strong></p>
  <ul class="kr-referral-methods"><li><strong>Phone</strong>: 0800-2000<span class="kr-referral-methods__instructions">Dag en nacht.</span></li><li><strong>Secure mail</strong>: <a href="https://mail.example/x" rel="nofollow">https://mail.example/x</a></li></ul>
  <p class="utrecht-paragraph"><a class="utrecht-link" href="https://vt.nl/?a=1&amp;b=2">https://vt.nl/?a=1&amp;b=2</a></p>
  <p class="utrecht-paragraph kr-muted">Contacts the family within 1 working day.</p>
</div>
  </li>
  <li class="kr-pathway-step">
    <div class="kr-pathway-step__head">
      <h2 class="utrecht-heading-3 kr-pathway-step__title">Bespreek het</h2>
      <span class="kr-pathway-step__kind">Discuss</span>
    </div>
    <div class="kr-tips">
      <p class="kr-tips__label">Conversation tips</p>
      <div class="utrecht-paragraph">Vraag open door.<br>Luister.</div>
    </div>
  </li>
  <li class="kr-pathway-step">
    <div class="kr-pathway-step__head">
      <h2 class="utrecht-heading-3 kr-pathway-step__title">Verwijs</h2>
      <span class="kr-pathway-step__kind">Refer</span>
    </div>
    <div class="utrecht-paragraph">Met toestemming.</div>
<div class="kr-service">
  <p class="kr-service__name"><a class="utrecht-link" href="/sociale-kaart/diensten/00000000-0000-0000-0000-0000000000bb/">Schuldhulp</a></p>
  <p class="utrecht-paragraph"><strong>How to refer</strong></p>
  <p class="utrecht-paragraph">Aanmelden via de gemeente.</p>
  <p class="utrecht-paragraph">Email: info@example.nl</p>
  <p class="utrecht-paragraph kr-muted">Contacts the family within 3 working days.</p>
</div>
  </li>
</ol>
<div class="kr-pathway-footer">
  <p class="utrecht-paragraph">
    Version 2, published 1 February 2026.
    Last reviewed 1 March 2020.
    <span class="kr-flag kr-flag--stale">review overdue</span>
  </p>
  <p class="utrecht-paragraph">Demo pathway: made-up example content.</p>
</div>
"""


def _choice(**values: object) -> PathwayChoice:
    defaults: dict[str, object] = {
        "number": 2,
        # 23:30 UTC is the next day in Amsterdam: the date is shown in local time.
        "published_at": datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC),
        "introduction": "Voor gezinnen <met> zorgen.",
        "last_reviewed_on": datetime.date(2020, 3, 1),
        "is_demo": True,
    }
    defaults.update(values)
    return PathwayChoice(1, 2, None, "Titel", **defaults)  # type: ignore[arg-type]


def _body(choice: PathwayChoice, steps) -> str:
    return render_to_string(
        page_cache.BODY_TEMPLATE,
        {"version": choice, "pathway": choice, "steps": as_step_views(steps)},
    )


def test_the_body_markup():
    """The markup of the body, escaping, line breaks, plurals and dates (local time) included."""
    assert _body(_choice(), PLAIN_STEPS) == EXPECTED_BODY


def test_an_empty_version_and_a_plain_footer():
    choice = _choice(
        published_at=None, introduction="", last_reviewed_on=datetime.date.today(), is_demo=False
    )
    assert _body(choice, ()) == (
        '<ol class="kr-pathway-steps">\n'
        '  <li class="utrecht-paragraph">This version has no steps yet.</li>\n'
        "</ol>\n"
        '<div class="kr-pathway-footer">\n  <p class="utrecht-paragraph">\n'
        "    Version 2.\n"
        f"    Last reviewed {date_format(datetime.date.today(), 'j F Y')}.\n"
        "  </p>\n</div>\n"
    )


def test_texts_follow_the_language():
    with translation.override("nl"):
        dutch = _body(_choice(), PLAIN_STEPS)
    english = _body(_choice(), PLAIN_STEPS)
    assert "Gesprekstips" in dutch
    assert "1 februari 2026" in dutch
    assert "Conversation tips" in english
    assert "1 February 2026" in english


def test_the_services_stamp_follows_what_the_steps_show():
    """Part of the body's cache key: the same for the same services, another when one of them
    shows differently; the steps' own texts are the version's (which never changes)."""
    stamp = services_stamp(PLAIN_STEPS)
    assert services_stamp(tuple(PLAIN_STEPS)) == stamp
    renamed = list(PLAIN_STEPS)
    service = renamed[2][-1]
    renamed[2] = (*renamed[2][:-1], (service[0], "Schuldhulp Drachten", *service[2:]))
    assert services_stamp(renamed) != stamp
    assert services_stamp([PLAIN_STEPS[1]]) == services_stamp([])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_same_body_from_models_and_from_kept_steps(smallingerland, places, language):
    """The version page renders model instances; the pathway page the plain values kept per
    process. Both give the same HTML, whatever the content."""
    from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory

    organisation = DirectoryOrganizationFactory(name='Zorg & "Welzijn" <Fryslân>')
    shared = ServiceFactory(
        organization=organisation,
        name="Schuldhulp <Drachten> & 'co'",
        status="temporarily closed",
        alert="Gesloten in de zomer & <daarna> open.",
        email="hulp@example.nl",
        url="https://example.nl/?a=1&b=2",
        response_time_days=2,
        referral_methods=["phone", "secure_mail"],
    )
    ReferralMethod.objects.filter(service=shared, method="secure_mail").update(
        contact="https://mail.example/?to=a&b", instructions="Met <toestemming>."
    )
    plain = ServiceFactory(
        name="Buurtteam", application_process="Bel of loop binnen.", response_time_days=1
    )
    bare = ServiceFactory(name="Inloop", status="defunct")
    pathway = make_pathway(
        smallingerland,
        steps=[
            step(StepKind.DISCUSS, "Bespreek <het>", text="Regel 1\nRegel 2", tips="Vraag 'open'"),
            step(StepKind.REFER, "Verwijs", shared, text="Met toestemming & uitleg."),
            step(StepKind.HANDOVER, "Draag over", shared),
            step(StepKind.FOLLOW_UP, "Vraag na", plain),
            step(StepKind.URGENT_SAFETY, "Bij gevaar", bare),
            step(StepKind.CONSENT, "Toestemming"),
        ],
    )
    with translation.override(language):
        version = version_with_steps(pathway, 1)
        from_models = render_to_string(
            page_cache.BODY_TEMPLATE,
            {"version": version, "pathway": version.pathway, "steps": version.ordered_steps},
        )
        table = municipality_pathways("GM0090")
        choice = table.get("geldzorgen", "pregnancy")
        assert choice is not None
        kept = version_steps(choice.version_id, with_versions=table.version_ids)
        from_values = _body(choice, kept)
    assert from_values == from_models
    assert from_models.count("Met &lt;toestemming&gt;.") == 2  # the shared service, twice


@pytest.mark.parametrize("language", ["en", "nl"])
def test_kept_parts_give_the_same_body(language):
    """The pathway page renders each step, service and footer once and keeps it
    (``views._part``); a body put together from kept parts is the one rendered whole."""
    from kansrijk.core import freshness
    from kansrijk.pathways.views import _body as page_body

    freshness.forget_all()
    with translation.override(language):
        first = page_body(_choice(), PLAIN_STEPS, "first")
        kept = page_body(_choice(), PLAIN_STEPS, "second")  # another key: service parts kept
        whole = _body(_choice(), PLAIN_STEPS)
    assert first == kept == whole


def _service(number: int, **values: object) -> tuple[object, ...]:
    """A service as a kept step shows it (``steps.PlainService``), ``values`` by field name."""
    fields = {
        "name": f"Dienst {number}",
        "status": "active",
        "alert": "",
        "application_process": "",
        "email": "",
        "url": "",
        "response_time_days": None,
        "organisation": None,
        "methods": (),
    }
    fields.update(values)
    return (
        f"00000000-0000-0000-0000-{number:012d}",
        *(fields[name] for name in SERVICE_FIELDS),
        fields["organisation"],
        fields["methods"],
    )


#: Services in every shape their part can take, twice with other values: a value that needs
#: escaping, line breaks, addresses that urlize makes links of, plurals, statuses.
SERVICES = [
    _service(1),
    _service(2, name='Zorg & "welzijn" <b>', organisation="GGD 'Fryslân' & co"),
    _service(3, name="Andere", organisation="Org <2>"),
    _service(4, status="temporarily closed", alert="Let op: <zomer>\nsluiting"),
    _service(5, status="defunct", alert="Gesloten & weg"),
    _service(6, application_process="Bel eerst.\r\nDan <mail>."),
    _service(7, application_process="Via www.example.nl & daarna"),
    _service(8, email="a&b@example.nl", url="https://x.nl/?a=1&b=<2>", response_time_days=1),
    _service(9, email="c@example.nl", response_time_days=3),
    _service(10, url="https://y.nl/", response_time_days=5),
    _service(
        11,
        methods=(
            ("phone", "0800-2000", "Dag en nacht.\nOok <'s nachts>."),
            ("secure_mail", "https://mail.example/x?a=1&b=2", ""),
            ("email", "info@example.nl", ""),
        ),
    ),
    _service(
        12,
        methods=(
            ("phone", "0512 & 1234", "Alleen <b>werkdagen</b>"),
            ("secure_mail", "zie www.veilig.nl.", ""),
            ("email", "<aanmelden@example.nl>", ""),
        ),
        application_process="Niet getoond: er zijn verwijsroutes.",
    ),
    _service(13, methods=(("other", "", "Alleen een uitleg."), ("form", "", ""))),
    _service(14, methods=(("other", "", "Een andere\nuitleg."), ("form", "", ""))),
    _service(15, methods=(("unknown-kind", "x", "y"),)),
]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_service_parts_kept_by_shape_give_the_same_body(language):
    """A step's service is rendered once per shape (which values it has, its status, its
    referral methods' kinds, the response time) with slots for its values, which are filled in
    as the templates put them in; bodies put together so are the ones rendered whole, for
    services of every shape and, the second time, other values of the same shapes."""
    from django.test.signals import template_rendered

    from kansrijk.core import freshness
    from kansrijk.pathways.views import _body as page_body

    freshness.forget_all()
    rendered: list[str] = []

    def record(sender: object, template: object, **kwargs: object) -> None:
        rendered.append(str(getattr(template, "name", "")))

    steps = tuple((n, "refer", f"Stap {n}", "", "", s) for n, s in enumerate(SERVICES))
    template_rendered.connect(record)
    try:
        with translation.override(language):
            got = page_body(_choice(), steps, "first")
            assert got == _body(_choice(), steps)
            assert page_cache.SERVICE_TEMPLATE in rendered
            rendered.clear()
            # The same shapes, other values: every part kept, filled in with the new values.
            other = tuple(
                (n, "refer", f"Stap {n}", "", "", _service(100 + n, **_shape_twin(s)))
                for n, s in enumerate(SERVICES)
            )
            again = page_body(_choice(), other, "second")
            assert page_cache.SERVICE_TEMPLATE not in rendered
            assert page_cache.BODY_TEMPLATE not in rendered
            assert again == _body(_choice(), other)
    finally:
        template_rendered.disconnect(record)
    assert "Zorg &amp; &quot;welzijn&quot; &lt;b&gt;" in got
    assert '<a href="https://mail.example/x?a=1&amp;b=2" rel="nofollow">' in got


def _shape_twin(plain: tuple[object, ...]) -> dict[str, object]:
    """Values of the same shape as ``plain``'s, each another (and needing escaping)."""
    fields = dict(zip(SERVICE_FIELDS, plain[1:-2], strict=True))

    def other(value: object) -> object:
        return f"{value} & <anders>\nnieuw" if isinstance(value, str) and value else value

    return {
        **{name: other(value) if name != "status" else value for name, value in fields.items()},
        "organisation": other(plain[-2]) if plain[-2] is not None else None,
        "methods": tuple(
            (method, other(contact), other(instructions))
            for method, contact, instructions in plain[-1]  # type: ignore[union-attr]
        ),
    }


@pytest.mark.parametrize("language", ["en", "nl"])
def test_footers_kept_by_shape_give_the_footer_of_the_template(language):
    """A footer is rendered once per shape (version number, which dates it has, review overdue,
    demo) with slots for its dates, filled in as the template formats them (local time: 23:30
    UTC is the next day in Amsterdam); the same as rendering the template with the values."""
    from django.test.signals import template_rendered

    from kansrijk.core import freshness
    from kansrijk.pathways.views import _footer

    freshness.forget_all()
    rendered: list[str] = []

    def record(sender: object, template: object, **kwargs: object) -> None:
        rendered.append(str(getattr(template, "name", "")))

    published = [
        datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 5, 3, 8, 0, tzinfo=datetime.UTC),
    ]
    # Both long ago (review overdue), then recent (not overdue: another shape).
    reviewed = [datetime.date(2020, 3, 1), datetime.date(2021, 6, 15), datetime.date.today()]
    template_rendered.connect(record)
    try:
        with translation.override(language):
            for demo in (True, False):
                for published_at in (None, *published):
                    for reviewed_on in (None, *reviewed):
                        choice = _choice(
                            published_at=published_at, last_reviewed_on=reviewed_on, is_demo=demo
                        )
                        rendered.clear()
                        got = _footer(choice)
                        whole = render_to_string(
                            page_cache.FOOTER_TEMPLATE, {"version": choice, "pathway": choice}
                        )
                        assert got == whole
                        if published_at == published[1] or reviewed_on == reviewed[1]:
                            # The same shape as a footer before: not rendered again.
                            assert page_cache.FOOTER_TEMPLATE not in rendered[:-1]
    finally:
        template_rendered.disconnect(record)
    with translation.override(language):
        footer = _footer(_choice())
    assert ("1 februari 2026" if language == "nl" else "1 February 2026") in footer


def test_a_footer_whose_dates_are_not_found_is_rendered_whole(monkeypatch):
    """When the stand-in dates' text is not in the footer rendered with them (here: the view
    looks for another format than the template's), the footer is rendered with the real dates:
    slower, never wrong."""
    from kansrijk.core import freshness
    from kansrijk.pathways import views

    freshness.forget_all()
    monkeypatch.setattr(views, "_DATE_FORMAT", "d-m-Y")
    choice = _choice()
    whole = render_to_string(page_cache.FOOTER_TEMPLATE, {"version": choice, "pathway": choice})
    assert views._footer(choice) == whole
    assert views._footer(choice) == whole  # the empty part is kept: rendered whole again
    assert "1 February 2026" in whole
