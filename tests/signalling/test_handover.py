"""From the broad conversation's result to a referral: the ticked risk factors are carried into
the new referral's form (from the answers kept in the browser, never in a URL); the sender
confirms them, and the consent still comes after (issue 12, point 7)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from kansrijk.accounts.roles import Role
from kansrijk.referrals.models import Referral, Source
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CONVERSATION = reverse("signalling:conversation")
OUTCOME = reverse("signalling:outcome")
ANSWERS = {
    "postcode": "9203",
    "phase": "pregnancy",
    "factor": ["geldzorgen", "huiselijk-geweld", "steun-netwerk"],
}


@pytest.fixture
def referable(local_offer_data: dict[str, Any]) -> Any:
    """The debt-counselling service of the local offer takes referrals through Kansrijk."""
    service = local_offer_data["service"]
    organization = service.organization
    organization.account_organisation = OrganisationFactory(name="Schuldhulp Drachten")
    organization.save(update_fields=["account_organisation"])
    return service


def _professional(client: Any, login_verified: Any) -> Any:
    user = UserFactory(
        roles=[Role.PROFESSIONAL], organisation=OrganisationFactory(name="Huisartsenpraktijk")
    )
    login_verified(client, user)
    return user


def _refer_link(text: str, service: Any) -> str:
    links = re.findall(r'href="(/verwijzingen/nieuw/\?[^"]*)"', text)
    assert links, "no refer link"
    [link] = {link.replace("&amp;", "&") for link in links}
    assert link == f"/verwijzingen/nieuw/?service={service.pk}&source=signalling"
    return link


def _checked(text: str, name: str) -> set[str]:
    return {
        value
        for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', text)
        if " checked" in tag
        for value in re.findall(r'value="([^"]*)"', tag)
    }


def test_the_result_refers_with_the_ticked_factors_and_none_in_the_url(
    client, login_verified, referable
):
    _professional(client, login_verified)
    client.post(CONVERSATION, ANSWERS)
    outcome = client.get(OUTCOME).content.decode()
    assert "Verwijzen naar Schuldhulp Drachten" in outcome
    assert "neemt de aangevinkte risicofactoren mee" in outcome
    link = _refer_link(outcome, referable)

    form = client.get(link)
    assert form.status_code == 200
    text = form.content.decode()
    # The risk factors are ticked; the protective one is no referral situation.
    assert _checked(text, "situations") == {"geldzorgen", "huiselijk-geweld"}
    assert _checked(text, "phase") == {"pregnancy"}
    assert re.search(r'<option value="GM0090" selected>', text)
    assert "Uit het brede gesprek: de risicofactoren die u daar aanvinkte" in text
    assert 'name="source" value="signalling"' in text
    assert "no-store" in form["Cache-Control"]

    # The sender confirms what the receiver needs (here: only the money worries).
    response = client.post(
        reverse("referrals:new"),
        {
            "service": str(referable.pk),
            "kind": "general",
            "source": "signalling",
            "client_given_name": "Anna",
            "client_family_name": "de Vries",
            "client_birth_date": "1996-03-14",
            "client_municipality": "GM0090",
            "client_language": "nl",
            "client_phone": "06 12345678",
            "contact_preference": "contact_client",
            "phase": "pregnancy",
            "due_date": "2027-03-01",
            "urgency": "routine",
            "situations": ["geldzorgen"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.get()
    assert referral.source == Source.SIGNALLING
    assert [s.code for s in referral.situations.all()] == ["geldzorgen"]
    assert referral.status == "draft"  # consent and sending come next


def test_without_kept_answers_nothing_is_ticked_and_the_page_says_so(
    client, login_verified, referable
):
    _professional(client, login_verified)
    text = client.get(
        reverse("referrals:new"), {"service": referable.pk, "source": "signalling"}
    ).content.decode()
    assert _checked(text, "situations") == set()
    assert "worden niet meer in deze browser bewaard" in text


def test_no_refer_buttons_for_visitors_who_cannot_refer(client, login_verified, referable):
    client.post(CONVERSATION, ANSWERS)
    assert "/verwijzingen/nieuw/" not in client.get(OUTCOME).content.decode()
    intake = UserFactory(roles=[Role.INTAKE_HANDLER], organisation=OrganisationFactory())
    login_verified(client, intake)
    client.post(CONVERSATION, ANSWERS)
    assert "/verwijzingen/nieuw/" not in client.get(OUTCOME).content.decode()
