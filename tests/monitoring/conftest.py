from __future__ import annotations

import pytest

from kansrijk.monitoring.services import load_catalogue
from tests.referrals.conftest import world  # noqa: F401 - the referral test world, as a fixture


@pytest.fixture
def catalogue(places: None) -> None:
    """The seeded indicator catalogue (no values)."""
    load_catalogue()


def scoped_user(role: str, municipality: str = "GM0090", username: str | None = None):
    """A user with ``role`` for ``municipality`` (coordinator or analyst)."""
    from kansrijk.accounts.models import RoleAssignment
    from tests.factories import UserFactory

    user = UserFactory(username=username or f"{role}-{municipality}", roles=[])
    assignment = RoleAssignment.objects.create(user=user, role=role)
    assignment.municipalities.set([municipality])
    return user


@pytest.fixture
def figures(catalogue: None) -> None:
    """big2 for every municipality of GGD Fryslân (GG7206) and the rest of the country, 2022-2023:
    Smallingerland 60/400 (2022) and 80/400 (2023); Schiermonnikoog 3/20 (suppressed)."""
    from kansrijk.monitoring.importing import import_uploads
    from kansrijk.places.models import Municipality

    lines = ["indicator,area,period,numerator,denominator"]
    for code in Municipality.objects.order_by("code").values_list("code", flat=True):
        for year in (2022, 2023):
            if code == "GM0090":
                numerator, denominator = (60, 400) if year == 2022 else (80, 400)
            elif code == "GM0088":  # Schiermonnikoog
                numerator, denominator = 3, 20
            else:
                numerator, denominator = 50, 500
            lines.append(f"big2,{code},{year},{numerator},{denominator}")
    import_uploads(values=("values.csv", ("\n".join(lines) + "\n").encode()))
