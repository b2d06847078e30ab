"""`kansrijk demo`: the first README command, end to end."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from kansrijk.accounts.models import Organisation, RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.places.models import Municipality
from tests.scoped import data_for_scope

DEMO_MUNICIPALITIES = {"GM0090", "GM0599", "GM0917"}
#: The test settings have DEBUG off, as production: the demo runs only when told it may.
NOT_PRODUCTION = "--i-know-this-is-not-production"


def _run_the_demo_command() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", NOT_PRODUCTION, stdout=out)
    return out.getvalue()


@pytest.mark.xdist_group("demo-command")  # one worker, so the class's data is loaded once
class TestTheDemoData:
    """What ``kansrijk demo --no-serve`` sets up, loaded once for the class (``tests/scoped.py``)."""

    @pytest.fixture(scope="class")
    @classmethod
    def demo_output(cls, request: pytest.FixtureRequest) -> Iterator[str]:
        yield from data_for_scope(request, _run_the_demo_command)

    def test_everything_is_set_up_and_twice_is_safe(self, places, demo_output):
        first = (User.objects.count(), Organisation.objects.count(), RoleAssignment.objects.count())
        _run_the_demo_command()
        assert (
            User.objects.count(),
            Organisation.objects.count(),
            RoleAssignment.objects.count(),
        ) == first

        assert "kansrijk-demo-2026" in demo_output
        assert "verloskundige.smallingerland" in demo_output
        # The list of log-ins is in English throughout, role names too (not "Intakemedewerker").
        jgz = next(line for line in demo_output.splitlines() if "jgz.smallingerland " in line)
        assert "  Intake handler — " in jgz
        assert "Intakemedewerker" not in demo_output
        assert Municipality.objects.count() == 342
        # One demo user per role in each of the three municipalities, all marked as demo.
        for code in DEMO_MUNICIPALITIES:
            municipality = Municipality.objects.get(code=code)
            roles = set(
                RoleAssignment.objects.filter(
                    organisation__municipalities=municipality, user__is_demo=True
                ).values_list("role", flat=True)
            )
            assert roles == set(Role.values), code
        assert not User.objects.filter(is_demo=False).exists()
        assert not Organisation.objects.filter(is_demo=False).exists()
        # Every account has the published password (hashed once for all of them).
        from kansrijk.accounts.demo import DEMO_PASSWORD

        assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())

    def test_administrators_are_no_superusers_and_stay_in_their_municipality(
        self, places, demo_output
    ):
        from kansrijk.accounts.scope import administration_scope

        assert not User.objects.filter(is_demo=True, is_superuser=True).exists()
        assert not User.objects.filter(is_demo=True, is_staff=True).exists()
        admin = User.objects.get(username="beheerder.smallingerland")
        scope = administration_scope(admin)
        assert not scope.operator
        assert scope.organisation_ids == {
            Organisation.objects.get(name="Gemeente Smallingerland").pk
        }
        assert scope.municipality_codes == {"GM0090"}

    def test_demo_code_prints_the_current_code_for_demo_users_only(self, places, demo_output):
        from django.core.management.base import CommandError
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from kansrijk.accounts.twofactor import match_second_factor
        from tests.factories import TOTPDeviceFactory, UserFactory

        out = io.StringIO()
        call_command("demo_code", "jgz.rotterdam", stdout=out)
        code = out.getvalue().strip()
        assert len(code) == 6
        user = User.objects.get(username="jgz.rotterdam")
        assert isinstance(match_second_factor(user, code), TOTPDevice)

        real = UserFactory(roles=[Role.PROFESSIONAL])
        TOTPDeviceFactory(user=real)
        with pytest.raises(CommandError):
            call_command("demo_code", real.username, stdout=io.StringIO())


@pytest.mark.xdist_group("demo-command")
def test_a_group_runs_on_one_worker(request: pytest.FixtureRequest) -> None:
    """pytest-xdist's ``--dist loadgroup`` (pyproject's addopts) sends the tests of an
    ``xdist_group`` to one worker, as it does for ``TestTheDemoData``: otherwise each worker that
    gets one of the class's tests loads the whole demo for it."""
    # xdist sets the option for its workers only: with -n 0 it is not there at all.
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not in parallel with --dist loadgroup")
    assert request.node.nodeid.endswith("@demo-command")


def test_demo_rejects_a_bad_port():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--port"):
        call_command("demo", "--port", "70000", "--no-serve")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_the_readme_command_serves_the_app(tmp_path: Path):
    """`kansrijk demo --port N` in a fresh directory: a new SQLite file and a live server."""
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kansrijk.cli", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300  # the demo loads the whole demo data first
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/health", timeout=2
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.5)
        assert '"status": "ok"' in body, (
            process.stdout.read() if process.poll() is not None else "no answer"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
        assert "Demo-omgeving" in page
        assert (tmp_path / "kansrijk.sqlite3").exists()
        # A mistyped address: the application's own 404 page, not Django's debug page.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bestaat-niet/", timeout=5)
        assert missing.value.code == 404
        text = missing.value.read().decode()
        assert "Pagina niet gevonden" in text
        assert "URLconf" not in text
        assert "DEBUG = True" not in text
        # Static files are served with DEBUG off too.
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=5
        ) as response:
            assert response.status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "verloskundige.smallingerland" in output


# --- Demo accounts never reach production ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("debug", "production", "reason"),
    [(False, False, "DEBUG is off"), (True, True, "production settings")],
)
def test_demo_refuses_to_run_on_what_looks_like_production(
    places, settings, debug, production, reason
):
    from django.core.management.base import CommandError

    settings.DEBUG = debug
    settings.KANSRIJK_PRODUCTION = production
    before = (User.objects.count(), Organisation.objects.count())
    with pytest.raises(CommandError, match=reason) as refused:
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert NOT_PRODUCTION in str(refused.value)
    assert (User.objects.count(), Organisation.objects.count()) == before
    assert not User.objects.filter(is_demo=True).exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_SETTINGS_MODULE": "kansrijk.conf.production", "SECRET_KEY": "x" * 60},
        {"DJANGO_SETTINGS_MODULE": "kansrijk.conf.dev", "DEBUG": "false"},
    ],
    ids=["production-settings", "debug-off"],
)
def test_the_demo_command_exits_non_zero_and_creates_nothing(tmp_path: Path, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "kansrijk.cli", "demo", "--no-serve"],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Refusing to set up the demo" in result.stderr
    assert not (tmp_path / "kansrijk.sqlite3").exists()


@pytest.mark.django_db
def test_demo_accounts_cannot_log_in_on_a_real_installation(client, settings):
    from django.urls import reverse

    from kansrijk.accounts.demo import DEMO_PASSWORD
    from kansrijk.audit.models import AccessEvent
    from tests.factories import UserFactory

    user = UserFactory(username="analist.demo", is_demo=True, roles=[Role.ANALYST])
    user.set_password(DEMO_PASSWORD)
    user.save()
    login = reverse("accounts:login")
    credentials = {"username": "analist.demo", "password": DEMO_PASSWORD}

    settings.KANSRIJK_PRODUCTION = True
    settings.KANSRIJK_DEMO_MODE = False
    refused = client.post(login, credentials)
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    failure = AccessEvent.objects.get(event_type="accounts.login", outcome="failure")
    assert failure.user == user

    # Where the demo banner shows (demo mode), they work; switch it off and the session ends.
    settings.KANSRIJK_DEMO_MODE = True
    assert client.post(login, credentials).status_code == 302
    assert client.get(reverse("core:start")).context["user"].is_authenticated
    settings.KANSRIJK_DEMO_MODE = False
    assert not client.get(reverse("core:start")).context["user"].is_authenticated


@pytest.mark.django_db
def test_a_demo_account_can_never_be_a_superuser():
    from django.db import IntegrityError, transaction

    from tests.factories import UserFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="demo.operator", is_demo=True, is_superuser=True)
    user = UserFactory(username="demo.gebruiker", is_demo=True)
    user.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
