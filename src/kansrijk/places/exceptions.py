"""Domain errors of the places app. Their messages are translated when they are shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, UnknownValue


class PlacesError(DomainError):
    """Base class. ``message`` is a lazy translation: ``str(error)`` gives it in the active language."""

    code = "places-error"
    default_message = _("Something went wrong with the place data.")


class InvalidPostcode(PlacesError, ValueError):
    """The input is not a Dutch postcode (four digits, optionally followed by two letters)."""

    code = "ongeldige-postcode"
    default_message = _(
        "Enter a postcode of four digits, optionally with two letters, such as 9203 or 9203 AB."
    )


class UnknownPostcode(UnknownValue, PlacesError, LookupError):
    """A well-formed postcode that is not in the PC4 table (``value``: its four digits)."""

    code = "onbekende-postcode"
    value_message = _(
        "Postcode %(value)s is not in our list of postcode areas. Check the digits, or try a "
        "postcode nearby."
    )


class UnknownMunicipality(UnknownValue, PlacesError, LookupError):
    """A CBS municipality code that names no municipality."""

    code = "onbekende-gemeente"
    value_message = _("%(value)s is not a municipality. Use a CBS code such as GM0090.")


class ReferenceDataError(PlacesError):
    """A reference data file is missing or does not have the expected content (for operators)."""

    code = "ongeldige-referentiedata"
