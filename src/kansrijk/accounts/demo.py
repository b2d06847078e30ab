"""Demo organisations and users in Smallingerland, Rotterdam and Heerlen: in each, a midwife
and a GP who refer, an intake handler at the JGZ and one at the debt-counselling service who
receive referrals, and a coalition editor, coordinator, analyst and administrator at the
municipality (``DEMO_ACCOUNTS``); and one national content editor (``NATIONAL_EDITOR``). The
README lists them.

Everything made here is marked ``is_demo`` and shown as demo in the interface. Running it
again resets the demo users (password, authenticator key, recovery codes) and changes nothing
else. The authenticator keys are derived from the user name, so that ``kansrijk demo-code``
can print the current code without a phone — which is why demo accounts are never
superusers (a database constraint) and cannot log in under production settings
(``accounts.backends``), and why ``kansrijk demo`` refuses to run there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.accounts.models import Organisation, OrganisationKind, RoleAssignment, User
from kansrijk.accounts.roles import CLIENT_DATA_ROLES, MUNICIPALITY_SCOPED_ROLES, Role
from kansrijk.accounts.twofactor import set_recovery_codes
from kansrijk.places.models import Municipality

DEMO_PASSWORD = "kansrijk-demo-2026"  # noqa: S105 - printed on purpose; demo accounts only


@dataclass(frozen=True)
class DemoPlace:
    municipality_code: str
    slug: str
    town: str
    midwife_practice: str
    youth_health_care: str
    gp_practice: str
    #: Equal to the debt-counselling organisation of the demo social map (directory.demo).
    debt_counselling: str


PLACES = [
    DemoPlace(
        "GM0090",
        "smallingerland",
        "Drachten",
        "Verloskundigenpraktijk De Wieken",
        "JGZ Fryslân Drachten",
        "Huisartsenpraktijk Drachten-Noord",
        "Schuldhulpverlening Smallingerland",
    ),
    DemoPlace(
        "GM0599",
        "rotterdam",
        "Rotterdam",
        "Verloskundigenpraktijk Kralingen",
        "CJG Rotterdam Oost",
        "Huisartsenpraktijk Kralingen-Oost",
        "Kredietbank Rotterdam",
    ),
    DemoPlace(
        "GM0917",
        "heerlen",
        "Heerlen",
        "Verloskundigenpraktijk Heerlen-Centrum",
        "JGZ Heerlen",
        "Huisartsenpraktijk Heerlen-Zuid",
        "Geldzaken Heerlen",
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    """One demo user per place: ``<prefix>.<place slug>``."""

    prefix: str
    role: str
    #: Which organisation of the place: midwife, gp, jgz, debt or municipality.
    organisation: str
    #: What this user can do, for the printed log-ins and the README.
    can: str


DEMO_ACCOUNTS = [
    DemoAccount(
        "verloskundige",
        Role.PROFESSIONAL,
        "midwife",
        "refers clients (prenatal home visit, debt counselling), records consent, follows "
        "the sent referrals",
    ),
    DemoAccount(
        "huisarts", Role.PROFESSIONAL, "gp", "refers clients as a GP, follows the sent referrals"
    ),
    DemoAccount(
        "jgz",
        Role.INTAKE_HANDLER,
        "jgz",
        "receives the JGZ's referrals in the inbox: accepts, declines, records contact and outcome",
    ),
    DemoAccount(
        "schuldhulp",
        Role.INTAKE_HANDLER,
        "debt",
        "receives the debt-counselling service's referrals in the inbox",
    ),
    DemoAccount(
        "redacteur",
        Role.COALITION_EDITOR,
        "municipality",
        "maintains the municipality's social map and pathways, and its local additions to the "
        "pages for parents (/ouders/redactie/)",
    ),
    DemoAccount(
        "coordinator",
        Role.COALITION_COORDINATOR,
        "municipality",
        "the coalition's workspace, referral results and monitor",
    ),
    DemoAccount("analist", Role.ANALYST, "municipality", "referral results and the monitor"),
    DemoAccount(
        "beheerder",
        Role.ADMINISTRATOR,
        "municipality",
        "administers the municipality's own users, roles and social map (/beheer/), searches "
        "its access log",
    ),
]

#: The national content editor: a coalition editor at the lead organisation of the national
#: coalition (made by ``kansrijk.pathways.demo``, whose ``NATIONAL_ORGANISATION`` this equals),
#: so an editor of the national pages for parents and of the national pathways.
NATIONAL_ORGANISATION = "Landelijk team Kansrijke Start"
NATIONAL_EDITOR = DemoAccount(
    "contentredacteur",
    Role.COALITION_EDITOR,
    "national",
    "edits the national pages for parents and their translations (draft or checked by a "
    "native speaker), and the national pathways",
)
NATIONAL_EDITOR_USERNAME = f"{NATIONAL_EDITOR.prefix}.landelijk"

#: The prefix of the first demo user of each role (e.g. the midwife for professionals).
ROLE_USERNAMES = {role: next(a.prefix for a in DEMO_ACCOUNTS if a.role == role) for role in Role}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str
    municipality: str
    two_factor: bool
    recovery_codes: tuple[str, ...]
    can: str = ""


def _role_label(role: str) -> str:
    """The role's name in English: the printed list of log-ins is English (as the README's
    table of demo roles), and a Dutch role name in an English line mixed the two languages."""
    with translation.override("en"):
        return str(Role(role).label)


def demo_totp_key(username: str) -> str:
    """A stable 20-byte authenticator key (hex) for a demo user: demo only, never real users."""
    return hashlib.sha256(f"kansrijk-demo-totp:{username}".encode()).hexdigest()[:40]


def demo_recovery_codes(username: str) -> tuple[str, ...]:
    digest = hashlib.sha256(f"kansrijk-demo-recovery:{username}".encode()).hexdigest()
    return tuple(digest[i : i + 8] for i in range(0, 80, 8))


def _organisation(name: str, kind: str, municipality: Municipality | None) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        name=name, defaults={"kind": kind, "is_demo": True}
    )
    if municipality is not None:
        organisation.municipalities.add(municipality)
    return organisation


def _user(
    username: str,
    first_name: str,
    organisation: Organisation,
    role: str,
    municipality: Municipality | None,
    password: str,
) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": "(demo)",
            "email": f"{username}@demo.kansrijk.localhost",
            "organisation": organisation,
            "is_demo": True,
            "is_active": True,
            # The administrator role is scoped to its organisation; superusers are for the
            # operator of an installation, never demo accounts.
            "is_staff": False,
            "is_superuser": False,
            # The published password, as a hash (``set_password`` on the saved account would
            # log a new password in the access log on every run).
            "password": password,
        },
    )
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation
    )
    if role in MUNICIPALITY_SCOPED_ROLES:
        assignment.municipalities.set([municipality] if municipality is not None else [])
    if role in CLIENT_DATA_ROLES:
        TOTPDevice.objects.update_or_create(
            user=user,
            name="authenticator",
            defaults={"key": demo_totp_key(username), "confirmed": True},
        )
        set_recovery_codes(user, demo_recovery_codes(username))
    return user


@transaction.atomic
def load() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    # One hash for every account: the password is the same and published, so a shared salt
    # gives nothing away, and hashing it once per account (PBKDF2, ~0.3 s each) took about
    # 10 s of every ``kansrijk demo``.
    password = make_password(DEMO_PASSWORD)
    for place in PLACES:
        municipality = Municipality.objects.get(code=place.municipality_code)
        organisations = {
            "midwife": _organisation(
                place.midwife_practice, OrganisationKind.MEDICAL, municipality
            ),
            "gp": _organisation(place.gp_practice, OrganisationKind.MEDICAL, municipality),
            "jgz": _organisation(place.youth_health_care, OrganisationKind.MEDICAL, municipality),
            "debt": _organisation(place.debt_counselling, OrganisationKind.SOCIAL, municipality),
            "municipality": _organisation(
                f"Gemeente {municipality.name}", OrganisationKind.MUNICIPALITY, municipality
            ),
        }
        for account in DEMO_ACCOUNTS:
            username = f"{account.prefix}.{place.slug}"
            organisation = organisations[account.organisation]
            _user(
                username,
                account.prefix.capitalize(),
                organisation,
                account.role,
                municipality,
                password,
            )
            two_factor = account.role in CLIENT_DATA_ROLES
            logins.append(
                DemoLogin(
                    username=username,
                    role=_role_label(account.role),
                    organisation=organisation.name,
                    municipality=municipality.name,
                    two_factor=two_factor,
                    recovery_codes=demo_recovery_codes(username) if two_factor else (),
                    can=account.can,
                )
            )
    national = _organisation(NATIONAL_ORGANISATION, OrganisationKind.NATIONAL, None)
    _user(
        NATIONAL_EDITOR_USERNAME,
        "Contentredacteur",
        national,
        NATIONAL_EDITOR.role,
        None,
        password,
    )
    logins.append(
        DemoLogin(
            username=NATIONAL_EDITOR_USERNAME,
            role=_role_label(NATIONAL_EDITOR.role),
            organisation=national.name,
            municipality="landelijk",
            two_factor=False,
            recovery_codes=(),
            can=NATIONAL_EDITOR.can,
        )
    )
    return logins
