"""References that are safe to show, say and log: never personal data.

- ``new_reference()``: ``VW-7K3Q-9P``, random, from an alphabet without look-alikes (no 0/O,
  1/I/L, 5/S, 2/Z, U/V), to read out on the phone.
- ``client_ref(given, family, birth_date)``: a keyed hash (HMAC-SHA256 with a key derived from
  SECRET_KEY) of the normalised name and date of birth. The same client gets the same
  reference in every referral, so her access report covers all of them, and the access log can
  be searched for her after the referral has been purged — without storing her name there.
"""

from __future__ import annotations

import datetime
import secrets

from django.utils.crypto import salted_hmac

from kansrijk.core.text import fold

REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTWXY"
REFERENCE_PREFIX = "VW"


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"


def normalise_name(value: str) -> str:
    """Lower case, accents and everything but letters removed: ``Élif  van-Dijk`` → ``elifvandijk``."""
    return "".join(ch for ch in fold(value) if ch.isalpha())


def client_ref(given_name: str, family_name: str, birth_date: datetime.date) -> str:
    message = f"{normalise_name(given_name)}|{normalise_name(family_name)}|{birth_date.isoformat()}"
    digest = salted_hmac("kansrijk.referrals.client_ref", message, algorithm="sha256").hexdigest()
    return f"cl-{digest[:32]}"


def self_referral_client_ref(given_name: str, family_name: str, contact: str) -> str:
    """The pseudonym of a client who referred herself: she gives no date of birth, so her
    name and how to reach her (phone digits or e-mail address) take its place. The same
    woman asking twice gets the same reference (her access report covers both)."""
    reach = "".join(ch for ch in contact.casefold() if ch.isalnum() or ch in "@.")
    message = f"{normalise_name(given_name)}|{normalise_name(family_name)}|{reach}"
    digest = salted_hmac("kansrijk.referrals.self_ref", message, algorithm="sha256").hexdigest()
    return f"cl-{digest[:32]}"
