"""`kansrijk demo`: the first README command, end to end."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from kansrijk.accounts.models import Organisation, RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.places.models import Municipality

DEMO_MUNICIPALITIES = {"GM0090", "GM0599", "GM0917"}


@pytest.mark.django_db
def test_demo_sets_up_everything_and_twice_is_safe(places):
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    first = (User.objects.count(), Organisation.objects.count(), RoleAssignment.objects.count())
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        RoleAssignment.objects.count(),
    ) == first

    text = out.getvalue()
    assert "kansrijk-demo-2026" in text
    assert "verloskundige.smallingerland" in text
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


@pytest.mark.django_db
def test_demo_administrators_are_no_superusers_and_stay_in_their_municipality(places):
    from kansrijk.accounts.scope import administration_scope

    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert not User.objects.filter(is_demo=True, is_superuser=True).exists()
    assert not User.objects.filter(is_demo=True, is_staff=True).exists()
    admin = User.objects.get(username="beheerder.smallingerland")
    scope = administration_scope(admin)
    assert not scope.operator
    assert scope.organisation_ids == {Organisation.objects.get(name="Gemeente Smallingerland").pk}
    assert scope.municipality_codes == {"GM0090"}


@pytest.mark.django_db
def test_demo_code_prints_the_current_code_for_demo_users_only(places):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kansrijk.accounts.twofactor import match_second_factor
    from tests.factories import TOTPDeviceFactory, UserFactory

    call_command("demo", "--no-serve", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_code", "jgz.rotterdam", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    user = User.objects.get(username="jgz.rotterdam")
    assert isinstance(match_second_factor(user, code), TOTPDevice)

    real = UserFactory(roles=[Role.PROFESSIONAL])
    TOTPDeviceFactory(user=real)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo_code", real.username, stdout=io.StringIO())


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
        deadline = time.monotonic() + 120
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
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "verloskundige.smallingerland" in output
