"""The application shell: health, errors, security headers, language, start pages."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kansrijk.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_health_checks_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_health_reports_an_unavailable_database(client):
    with mock.patch.object(connection, "cursor", side_effect=Exception("down")):
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_health_refuses_other_methods(client):
    assert client.post("/health").status_code == 405


@pytest.mark.parametrize(
    "path",
    ["/health", "/", "/sociale-kaart/", "/menukaart/", "/ouders/nl/", "/api/v1/situations"],
)
def test_what_answers_get_answers_head_too(client, places, path):
    """Link checkers and uptime monitors ask with HEAD: the headers of a GET, without a body
    (``require_safe``, not ``require_GET``, which answered 405)."""
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


def test_unknown_page_is_a_dutch_404(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_a_crash_is_the_applications_own_500_page_which_promises_nothing(settings):
    """With DEBUG off (production and the demo server) a crash shows the application's page,
    never Django's debug page. It must not say that nothing was saved: a service may have
    committed before the crash, and a user who believes nothing was saved sends it again."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch("kansrijk.core.views.start_sections_for", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "<title>Er ging iets mis · Kansrijk</title>" in body
    assert "boom" not in body
    assert "Traceback" not in body
    assert "niets opgeslagen" not in body
    assert "Nothing of your last action" not in body
    assert "Kijk na of uw laatste handeling is opgeslagen" in body


def test_security_headers_and_request_id(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32
    # A well-formed incoming id is kept; garbage is replaced.
    assert (
        client.get("/", HTTP_X_REQUEST_ID="abc-12345678").headers["X-Request-ID"] == "abc-12345678"
    )
    assert client.get("/", HTTP_X_REQUEST_ID="<script>").headers["X-Request-ID"] != "<script>"


def test_page_has_skip_link_landmarks_and_language(client):
    content = client.get("/").content.decode()
    assert '<html lang="nl"' in content
    assert 'href="#main"' in content
    assert content.index('href="#main"') < content.index("<header")
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in content


def test_language_switch_to_english(client):
    page = client.get("/sociale-kaart/?q=a&b=<c>")
    # A link per other language, back to this very address (as ``get_full_path`` gives it:
    # ``%3C`` for ``<``); no token, no cookie.
    link = (
        reverse("switch-language", args=["en"]) + "?next=/sociale-kaart/%3Fq%3Da%26b%3D%253Cc%253E"
    )
    assert f'href="{link}" lang="en" hreflang="en"' in page.text
    assert "csrfmiddlewaretoken" not in page.text
    assert not page.cookies
    response = client.get(link)
    assert response.status_code == 302
    assert response.url == "/sociale-kaart/?q=a&b=%3Cc%3E"
    content = client.get("/").content.decode()
    assert '<html lang="en"' in content
    assert "Skip to content" in content
    assert 'hreflang="nl"' in content


def test_language_switch_to_an_unknown_language_changes_nothing(client):
    response = client.get(reverse("switch-language", args=["xx"]) + "?next=/")
    assert response.status_code == 404
    assert not response.cookies
    assert '<html lang="nl"' in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org/", "", "javascript:x"])
def test_language_switch_stays_on_this_site(client, target):
    response = client.get(reverse("switch-language", args=["en"]), {"next": target})
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies["django_language"].value == "en"


def test_language_switch_only_by_get(client):
    response = client.post(reverse("switch-language", args=["en"]))
    assert response.status_code == 405
    assert not response.cookies


@pytest.mark.parametrize("role", list(Role))
def test_start_page_per_role(client, login_verified, django_assert_max_num_queries, role):
    user = UserFactory(roles=[role])
    login_verified(client, user)
    # 9: the ninth lists the questionnaires the user is invited to (issue 15).
    with django_assert_max_num_queries(9):
        response = client.get("/")
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s["role"] for s in sections] == [role]
    for task in sections[0]["tasks"]:
        assert client.get(task["url"]).status_code == 200, task["url"]


def test_user_with_several_roles_sees_a_section_for_each(client, login_verified):
    user = UserFactory(roles=[Role.COALITION_EDITOR, Role.ANALYST])
    login_verified(client, user)
    sections = client.get("/").context["sections"]
    assert [s["role"] for s in sections] == [Role.COALITION_EDITOR, Role.ANALYST]


def test_anonymous_start_page_leads_parents_to_their_pages(client):
    """The public pages for (future) parents are found from the start page, not only by
    typing /ouders/."""
    html = client.get("/").content.decode()
    assert '<a class="utrecht-link" href="/ouders/">Voor (aanstaande) ouders</a>' in html


def test_user_without_role_is_told_so(client):
    user = UserFactory()
    client.force_login(user)
    assert "U heeft nog geen rol" in client.get("/").content.decode()


def test_admin_login_goes_through_our_login(client):
    response = client.get("/beheer/login/?next=/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_admin_needs_the_second_factor(client, login_verified):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/beheer/").status_code == 302
    login_verified(client, admin)
    assert client.get("/beheer/").status_code == 200
    assert client.get("/beheer/accounts/user/").status_code == 200


def test_only_administrators_reach_the_admin(client, login_verified):
    """A signed-in user without the administrator role gets a clear refusal, which is
    logged — not the log-in page, which sent them straight back (a 302 loop)."""
    from kansrijk.audit.models import AccessEvent

    editor = UserFactory(roles=[Role.COALITION_EDITOR])
    login_verified(client, editor)
    for url in ("/beheer/", "/beheer/accounts/user/", "/beheer/login/?next=/beheer/"):
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert len(response.redirect_chain) <= 2, response.redirect_chain
        assert "Geen toegang tot beheer" in response.content.decode()
    refusals = AccessEvent.objects.filter(event_type="admin.access", user=editor)
    assert refusals.count() == 3
    assert {(e.outcome, e.role) for e in refusals} == {("denied", "coalition_editor")}
    # Anonymous visitors are sent to the log-in page, as before.
    client.logout()
    response = client.get("/beheer/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_administrator_role_manages_users_without_being_superuser(client, login_verified):
    from kansrijk.accounts.models import RoleAssignment, User

    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    assert not admin.is_superuser
    assert not admin.is_staff
    login_verified(client, admin)
    target = UserFactory(roles=[Role.PROFESSIONAL], organisation=admin.organisation)
    assert client.get(f"/beheer/accounts/user/{target.pk}/change/").status_code == 200
    # Adding a user through the admin (bad input first: mismatched passwords change nothing).
    count = User.objects.count()
    bad = client.post(
        "/beheer/accounts/user/add/",
        {
            "username": "nieuw",
            "password1": "een-lang-wachtwoord-1",
            "password2": "anders-wachtwoord-2",
            "usable_password": "true",
        },
    )
    assert bad.status_code == 200
    assert User.objects.count() == count
    assert RoleAssignment.objects.filter(user__username="nieuw").count() == 0
