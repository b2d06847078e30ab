"""The stateless signalling API: grade in, explanation and local offer out; problem+json for bad
input; nothing stored; no CSRF; a constant number of queries; the published rules."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.signalling.conftest import row_counts

pytestmark = pytest.mark.django_db

URL = "/api/v1/signalling/assessments"
RULES_URL = "/api/v1/signalling/rules"


@pytest.fixture
def api() -> APIClient:
    # CSRF checks on, as for a browser: the endpoint must not need a token.
    return APIClient(enforce_csrf_checks=True)


def _post(api: APIClient, body: object):
    return api.post(URL, data=json.dumps(body), content_type="application/json")


def test_happy_path(api, local_offer_data):
    response = _post(
        api, {"factors": ["geldzorgen", "roken"], "phase": "pregnancy", "postcode": "9203 AB"}
    )
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["grade"] == "kwetsbaar"
    assert data["rules_version"] == 1
    assert data["municipality"] == {"code": "GM0090", "name": "Smallingerland"}
    explanation = data["explanation"]
    assert [f["code"] for f in explanation["risk_factors"]] == ["geldzorgen", "roken"]
    assert explanation["risk_factors"][0]["weight"] == 2
    assert explanation["balance"] == 3
    assert explanation["decided_by"][0]["rule"] == "reinforcement"
    assert "levensgebieden" in explanation["decided_by"][0]["text"]
    assert {d["code"] for d in explanation["risk_domains"]} == {"geld-en-werk", "leefstijl"}
    pathways = {p["situation"]: p for p in data["pathways"]}
    assert pathways["geldzorgen"]["fallback"] is None
    assert pathways["geldzorgen"]["title"] == "Geldzorgen in Smallingerland"
    assert pathways["geldzorgen"]["version"] == 1
    assert pathways["geldzorgen"]["url"].startswith("/")
    assert pathways["roken"]["fallback"] == "national"
    assert data["interventions"] == [
        {
            "code": "samen-sterk-met-geld",
            "name": "Samen sterk met geld",
            "situations": ["geldzorgen"],
            "url": data["interventions"][0]["url"],
        }
    ]


def test_a_risk_without_pathway_is_marked_unavailable(api, local_offer_data):
    data = _post(
        api, {"factors": ["relatieproblemen"], "phase": "pregnancy", "municipality": "gm0090"}
    ).json()
    assert data["pathways"] == [
        {
            "situation": "relatieproblemen",
            "situation_name": "Relatieproblemen",
            "available": False,
            "title": None,
            "version": None,
            "fallback": None,
            "url": None,
        }
    ]
    assert data["grade"] == "potentieel-kwetsbaar"


def test_no_factors_is_self_reliant(api, local_offer_data):
    data = _post(api, {"factors": [], "phase": "preconception", "municipality": "GM0090"}).json()
    assert data["grade"] == "zelfredzaam"
    assert data["pathways"] == []
    assert data["interventions"] == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"factors": ["roken", "onzin"], "phase": "pregnancy", "municipality": "GM0090"},
            "factors",
            "Onbekende factorcode(s): onzin.",
        ),
        (
            {"factors": ["roken"], "phase": "later", "municipality": "GM0090"},
            "phase",
            "Kies een fase",
        ),
        ({"factors": ["roken"], "municipality": "GM0090"}, "phase", ""),
        (
            {"factors": ["roken"], "phase": "pregnancy", "municipality": "GM9999"},
            "municipality",
            "GM9999 is geen gemeente",
        ),
        ({"factors": ["roken"], "phase": "pregnancy"}, "municipality", "Geef een gemeente"),
        (
            {"factors": ["roken"], "phase": "pregnancy", "postcode": "12"},
            "postcode",
            "Vul een postcode in",
        ),
        ({"factors": ["roken"], "phase": "pregnancy", "postcode": "1004"}, "postcode", "1004"),
        ({"factors": "roken", "phase": "pregnancy", "municipality": "GM0090"}, "factors", ""),
        ({"factors": ["x"] * 101, "phase": "pregnancy", "municipality": "GM0090"}, "factors", ""),
        ({"factors": ["Roken!"], "phase": "pregnancy", "municipality": "GM0090"}, "factors.0", ""),
    ],
)
def test_bad_input_is_a_problem(api, default_rules, body, field, message):
    before = row_counts()
    response = _post(api, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert field in problem["errors"]
    assert message in json.dumps(problem["errors"], ensure_ascii=False)
    assert row_counts() == before


def test_not_a_json_object(api, default_rules):
    for raw in ("[1, 2]", "{kapot"):
        response = api.post(URL, data=raw, content_type="application/json")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"


def test_nothing_is_stored(api, local_offer_data):
    before = row_counts()
    for _ in range(2):
        response = _post(
            api,
            {
                "factors": ["geldzorgen", "huiselijk-geweld", "steun-netwerk"],
                "phase": "pregnancy",
                "postcode": "9203",
            },
        )
        assert response.status_code == 200
    assert row_counts() == before
    assert "sessionid" not in response.cookies


def test_get_is_not_allowed(api, default_rules):
    assert api.get(URL).status_code == 405


def test_a_constant_number_of_queries(api, local_offer_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        _post(api, {"factors": ["geldzorgen"], "phase": "pregnancy", "postcode": "9203"})
    counts = []
    for factors in (["geldzorgen"], ["geldzorgen", "roken", "stress", "lvb", "alcohol"]):
        with CaptureQueriesContext(connection) as context:
            assert (
                _post(
                    api, {"factors": factors, "phase": "pregnancy", "postcode": "9203"}
                ).status_code
                == 200
            )
        counts.append(len(context))
    assert counts[0] == counts[1] <= 10


def test_without_published_rules_the_service_is_unavailable(api, catalogue):
    response = _post(api, {"factors": [], "phase": "pregnancy", "municipality": "GM0090"})
    assert response.status_code == 503
    assert response.json()["code"] == "geen-regels"
    assert api.get(RULES_URL).status_code == 503


def test_the_published_rules(api, default_rules, django_assert_max_num_queries):
    api.get(RULES_URL)
    with django_assert_max_num_queries(2):
        response = api.get(RULES_URL)
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1
    assert [t["grade"] for t in data["thresholds"]] == [
        "potentieel-kwetsbaar",
        "kwetsbaar",
        "zeer-kwetsbaar",
    ]
    factors = {f["code"]: f for f in data["factors"]}
    assert factors["huiselijk-geweld"]["floor"] == "zeer-kwetsbaar"
    assert factors["geldzorgen"]["weight"] == 2
    assert factors["roken"]["weight"] == 1
    assert factors["steun-netwerk"]["kind"] == "protective"
    assert data["sources"]


def test_the_schema_documents_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/signalling/assessments" in schema["paths"]
    post = schema["paths"]["/signalling/assessments"]["post"]
    assert "application/problem+json" in post["responses"]["400"]["content"]
    assert "/signalling/rules" in schema["paths"]


@pytest.mark.parametrize(
    "factors",
    [
        [],
        ["geldzorgen"],
        ["geldzorgen", "roken", "steun-netwerk"],
        ["huiselijk-geweld", "relatieproblemen", "stress", "lvb", "alcohol"],
        ["steun-netwerk"],
    ],
)
def test_the_answer_is_what_the_response_serializer_gives(api, local_offer_data, factors):
    """The endpoint builds its answer without the response serializer (it cost more than all the
    rest); put through the serializer, the answer stays the same: same fields, same values."""
    from kansrijk.signalling.api import AssessmentSerializer

    for phase in ("preconception", "pregnancy", "postnatal"):
        response = _post(api, {"factors": factors, "phase": phase, "municipality": "GM0090"})
        assert response.status_code == 200, response.content
        data = response.json()
        assert json.loads(json.dumps(AssessmentSerializer(data).data)) == data


def test_a_known_municipality_costs_no_queries_once_seen(
    api, local_offer_data, django_assert_max_num_queries
):
    body = {"factors": ["geldzorgen", "roken"], "phase": "pregnancy", "municipality": "GM0090"}
    # A cold process: the rule set (four queries), catalogue, tokens, the municipality's pathways
    # and the interventions on offer there.
    with django_assert_max_num_queries(14):
        first = _post(api, body).json()
    # Rules, catalogue, the municipality's pathways and interventions are kept in the process.
    with django_assert_max_num_queries(0):
        again = _post(api, {**body, "factors": ["geldzorgen", "stress"]}).json()
    assert again["municipality"] == first["municipality"]
    assert [i["code"] for i in again["interventions"]] == ["samen-sterk-met-geld"]
    # By postcode: the postcode lookup only.
    with django_assert_max_num_queries(1):
        assert _post(api, {**body, "municipality": "", "postcode": "9203"}).status_code == 200


def test_kept_rules_pathways_and_interventions_follow_changes(api, local_offer_data):
    from django.utils import timezone

    from kansrijk.core import freshness
    from kansrijk.interventions.models import Intervention
    from kansrijk.pathways.models import Pathway, PathwayVersion
    from kansrijk.pathways.services import publish_version
    from kansrijk.situations.models import Situation

    body = {"factors": ["geldzorgen", "roken"], "phase": "pregnancy", "municipality": "GM0090"}
    data = _post(api, body).json()
    assert {p["situation"]: p["version"] for p in data["pathways"]}["geldzorgen"] == 1
    assert [i["code"] for i in data["interventions"]] == ["samen-sterk-met-geld"]
    weight = data["explanation"]["risk_factors"][0]["weight"]

    # A new version of the pathway is published (in this process).
    own = local_offer_data["own"]
    version = PathwayVersion.objects.create(pathway=own, number=2, title="Geldzorgen, versie 2")
    publish_version(version, user=None)
    pathways = {p["situation"]: p for p in _post(api, body).json()["pathways"]}
    assert pathways["geldzorgen"]["version"] == 2
    assert pathways["geldzorgen"]["title"] == "Geldzorgen, versie 2"

    # The pathway is withdrawn elsewhere: shows once the token is read again.
    Pathway.objects.filter(pk=own.pk).update(current_version=None, updated_at=timezone.now())
    freshness.bump("pathways")
    pathways = {p["situation"]: p for p in _post(api, body).json()["pathways"]}
    assert pathways["geldzorgen"]["available"] is False

    # The intervention stops being offered for pregnancy.
    intervention = Intervention.objects.get(slug="samen-sterk-met-geld")
    intervention.phase_pregnancy = False
    intervention.save()
    assert _post(api, body).json()["interventions"] == []

    # Its service stops serving Smallingerland (a change on the social map, another process).
    intervention.phase_pregnancy = True
    intervention.save()
    assert len(_post(api, body).json()["interventions"]) == 1
    service = local_offer_data["service"]
    service.service_areas.all().delete()
    type(service).objects.filter(pk=service.pk).update(last_modified=timezone.now())
    freshness.bump("directory")
    assert _post(api, body).json()["interventions"] == []

    # The catalogue changes: a new name shows at once.
    situation = Situation.objects.get(code="geldzorgen")
    situation.name = "Geldzorgen (nieuw)"
    situation.save()
    explained = _post(api, body).json()["explanation"]
    assert explained["risk_factors"][0]["name"] == "Geldzorgen (nieuw)"
    assert explained["risk_factors"][0]["weight"] == weight

    # Renamed elsewhere (no signal here): shows once the rules are read again.
    Situation.objects.filter(code="geldzorgen").update(name="Geldzorgen (elders)")
    freshness.bump("situations")
    explained = _post(api, body).json()["explanation"]
    assert explained["risk_factors"][0]["name"] == "Geldzorgen (elders)"


def test_kept_interventions_agree_with_the_menu_card(local_offer_data):
    """What the endpoint keeps per process is what ``available_interventions`` says is on offer,
    in every municipality, phase and situation, in the same order."""
    from kansrijk.directory.models import ServiceStatus
    from kansrijk.interventions.models import Intervention
    from kansrijk.interventions.selectors import available_interventions
    from kansrijk.places.models import Municipality
    from kansrijk.signalling.selectors import interventions_on_offer, offered_for
    from kansrijk.situations.models import Situation
    from tests.directory.factories import ServiceFactory

    # A second intervention, for two situations, offered by a service that is defunct in one
    # municipality and active in another.
    other = Intervention.objects.create(
        slug="aan-tafel", name="Aan tafel", building_block=1, phase_pregnancy=True
    )
    other.situations.set(Situation.objects.filter(code__in=["geldzorgen", "stress"]))
    other.services.set(
        [
            ServiceFactory(municipalities=["GM0090"], status=ServiceStatus.DEFUNCT),
            ServiceFactory(municipalities=["GM0086"]),
        ]
    )
    for code in Municipality.objects.filter(code__in=["GM0090", "GM0086", "GM0080"]).values_list(
        "code", flat=True
    ):
        kept = interventions_on_offer(code)
        for phase in ("preconception", "pregnancy", "postnatal"):
            for codes in (["geldzorgen"], ["geldzorgen", "stress"], ["roken"]):
                expected = [
                    (i.slug, sorted(s.code for s in i.situations.all() if s.code in codes))
                    for i in available_interventions(
                        municipality=code, situation_codes=codes, phase=phase
                    )
                ]
                assert [
                    (i.slug, addressed) for i, addressed in offered_for(kept, codes, phase)
                ] == expected


def test_kept_interventions_outlive_edits_of_services_that_deliver_none(
    local_offer_data, django_assert_max_num_queries
):
    """The offers are read again when a service that delivers an intervention changes, not at
    every change of the social map (an edit a second made every worker read the country's
    offers again every two seconds)."""
    import datetime

    from django.utils import timezone

    from kansrijk.core import freshness
    from kansrijk.directory.models import Location, Organization, Service, ServiceStatus
    from kansrijk.interventions.models import Intervention
    from kansrijk.signalling import selectors
    from tests.directory.factories import ServiceFactory

    other = Intervention.objects.create(
        slug="aan-tafel", name="Aan tafel", building_block=1, phase_pregnancy=True
    )
    delivering = ServiceFactory(municipalities=["GM0086"])
    other.services.set([delivering])
    unrelated = ServiceFactory(municipalities=["GM0086"])
    # Made long ago: a change within the margin before the offers are read counts as not in
    # them (it may have been committed later).
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    for model in (Service, Organization, Location):
        model.objects.update(last_modified=long_ago)
    assert "aan-tafel" in {i.slug for i in selectors.interventions_on_offer("GM0086")}
    kept = selectors._offers.get("all")

    def edit(service, **fields):
        Service.objects.filter(pk=service.pk).update(last_modified=timezone.now(), **fields)
        freshness.bump("directory")  # as another process's committed write is seen

    edit(unrelated, description="Nieuwe omschrijving")
    with django_assert_max_num_queries(3):  # the token, the changes, do they deliver any
        selectors.interventions_on_offer("GM0086")
    assert selectors._offers.get("all") is kept
    edit(delivering, status=ServiceStatus.DEFUNCT)
    assert "aan-tafel" not in {i.slug for i in selectors.interventions_on_offer("GM0086")}
    # A change of the interventions themselves is always read again.
    other.services.add(unrelated)
    assert "aan-tafel" in {i.slug for i in selectors.interventions_on_offer("GM0086")}


def test_kept_interventions_follow_changed_services_in_place(
    local_offer_data, django_assert_max_num_queries
):
    """A change of a service that delivers an intervention reads again where the interventions
    it delivers are on offer (two queries), rather than the whole country's offers; after every
    kind of change the kept offers are what a fresh read gives."""
    import datetime

    from django.utils import timezone

    from kansrijk.core import freshness
    from kansrijk.directory.models import (
        Location,
        Organization,
        Service,
        ServiceArea,
        ServiceStatus,
    )
    from kansrijk.interventions.models import Intervention
    from kansrijk.signalling import selectors
    from tests.directory.factories import ServiceFactory

    other = Intervention.objects.create(
        slug="aan-tafel", name="Aan tafel", building_block=1, phase_pregnancy=True
    )
    delivering = ServiceFactory(municipalities=["GM0086"])
    second = ServiceFactory(municipalities=["GM0090"])
    other.services.set([delivering, second])
    long_ago = timezone.now() - datetime.timedelta(hours=1)  # as in the test above
    for model in (Service, Organization, Location):
        model.objects.update(last_modified=long_ago)
    selectors.interventions_on_offer("GM0086")
    kept = selectors._offers.get("all")

    def offered(slug: str) -> frozenset[str]:
        selectors.interventions_on_offer("GM0086")
        items = selectors._offers.get("all").items
        assert items == selectors._all_interventions()
        return next(i.municipalities for i in items if i.slug == slug)

    def edit(service, **fields):
        Service.objects.filter(pk=service.pk).update(last_modified=timezone.now(), **fields)
        freshness.bump("directory")

    assert offered("aan-tafel") == {"GM0086", "GM0090"}
    edit(delivering, description="Nieuwe omschrijving")
    # the token, the changes, the interventions they deliver, where those are on offer
    with django_assert_max_num_queries(4):
        selectors.interventions_on_offer("GM0086")
    assert offered("aan-tafel") == {"GM0086", "GM0090"}
    ServiceArea.objects.create(service=delivering, municipality_id="GM0080")
    edit(delivering)
    assert offered("aan-tafel") == {"GM0086", "GM0090", "GM0080"}
    edit(second, status=ServiceStatus.DEFUNCT)
    assert offered("aan-tafel") == {"GM0086", "GM0080"}
    ServiceArea.objects.filter(service=delivering).delete()
    edit(delivering)
    assert offered("aan-tafel") == frozenset()
    assert "aan-tafel" not in {i.slug for i in selectors.interventions_on_offer("GM0086")}
    assert selectors._offers.get("all") is kept  # updated in place, never read in full again


def test_kept_interventions_are_read_again_after_many_changes(local_offer_data, monkeypatch):
    """After an import (more services changed than ``MANY_CHANGES``) the offers are read again
    rather than each changed service asked about: no list of ids past the databases' limits."""
    import datetime

    from django.utils import timezone

    from kansrijk.core import freshness
    from kansrijk.directory import changes
    from kansrijk.directory.models import Location, Organization, Service
    from kansrijk.signalling import selectors
    from tests.directory.factories import ServiceFactory

    unrelated = [ServiceFactory(municipalities=["GM0086"]) for _ in range(3)]
    long_ago = timezone.now() - datetime.timedelta(hours=1)  # as in the test above
    for model in (Service, Organization, Location):
        model.objects.update(last_modified=long_ago)
    selectors.interventions_on_offer("GM0086")
    kept = selectors._offers.get("all")
    monkeypatch.setattr(changes, "MANY_CHANGES", 2)
    Service.objects.filter(pk__in=[s.pk for s in unrelated]).update(last_modified=timezone.now())
    freshness.bump("directory")
    selectors.interventions_on_offer("GM0086")
    assert selectors._offers.get("all") is not kept


@pytest.mark.parametrize(
    "body",
    [
        {"factors": ["geldzorgen", "roken"], "phase": "pregnancy", "municipality": "GM0090"},
        {"factors": ["roken", "roken"], "phase": "postnatal", "municipality": " gm0090 "},
        {"factors": [], "phase": "preconception", "municipality": "GM0090"},
        {"factors": ["steun-netwerk"], "phase": "pregnancy", "municipality": "GM0090", "x": 1},
        {"factors": [" roken"], "phase": "pregnancy", "municipality": "GM0090"},
        {"factors": ["roken"], "phase": "pregnancy", "municipality": "GM0090", "postcode": ""},
        {"factors": ["roken"], "phase": "Pregnancy", "municipality": "GM0090"},
        {"factors": ["roken"], "phase": "pregnancy", "municipality": "GM9999"},
        {"factors": ["roken"], "phase": "pregnancy", "municipality": "GM0090" + "x" * 10},
        {"factors": "roken", "phase": "pregnancy", "municipality": "GM0090"},
        {"factors": [1], "phase": "pregnancy", "municipality": "GM0090"},
        {"factors": ["onzin"], "phase": "pregnancy", "municipality": "GM0090"},
        {"factors": ["roken"], "phase": "pregnancy", "municipality": ""},
        {"factors": ["roken"], "phase": "pregnancy", "municipality": 90},
    ],
)
def test_the_plain_request_path_agrees_with_the_serializer(local_offer_data, body):
    """Plainly valid requests skip the request serializer; whatever they give is what the
    serializer gives, and everything else goes through the serializer."""
    from kansrijk.signalling.api import AssessmentRequestSerializer, plain_request
    from kansrijk.signalling.selectors import rules_snapshot

    rules = rules_snapshot().rules
    plain = plain_request(body, rules)
    serializer = AssessmentRequestSerializer(data=body, context={"rules": rules})
    if plain is None:
        return
    assert serializer.is_valid(), serializer.errors
    expected = dict(serializer.validated_data)
    assert plain["pathways"] is expected.pop("pathways")
    assert plain.pop("pathways") is not None
    assert plain.pop("place").code == expected.pop("place").code
    assert plain == expected


def test_kept_explanations_are_per_language(local_offer_data):
    body = {"factors": ["geldzorgen", "roken"], "phase": "pregnancy", "municipality": "GM0090"}
    texts = {}
    for language in ("nl", "en", "nl"):
        client = APIClient(headers={"accept-language": language})
        response = client.post(URL, data=json.dumps(body), content_type="application/json")
        texts.setdefault(language, set()).add(response.json()["explanation"]["summary"])
    assert len(texts["nl"]) == 1
    assert texts["nl"] != texts["en"]
