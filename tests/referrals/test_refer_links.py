"""The way into a referral: "Refer through Kansrijk" on the service page, for professionals only,
with only ids in the link; and the pathway step links to that service page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.referrals.factories import ReferralWorld

pytestmark = pytest.mark.django_db


def test_professional_sees_the_refer_link_on_the_service_page(
    client, login_verified, world: ReferralWorld
):
    login_verified(client, world.midwife)
    page = client.get(reverse("directory:service", args=[world.service.pk])).content.decode()
    link = f"{reverse('referrals:new')}?service={world.service.pk}"
    assert link in page
    # Following it opens the referral form for that service.
    assert client.get(link).status_code == 200


def test_intake_handler_and_anonymous_visitors_get_no_refer_link(
    client, login_verified, world: ReferralWorld
):
    url = reverse("directory:service", args=[world.service.pk])
    assert reverse("referrals:new") not in client.get(url).content.decode()
    login_verified(client, world.intake)
    assert reverse("referrals:new") not in client.get(url).content.decode()
