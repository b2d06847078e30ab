"""Finding the service a pathway step refers to, by its id or its exact name on the social map.
Shared by the step form and the import, so both accept the same references."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from kansrijk.directory.models import Service, ServiceArea
from kansrijk.pathways.exceptions import PathwayError


class ServiceNotFound(PathwayError, LookupError):
    code = "onbekende-dienst"


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def find_service(reference: str, *, municipalities: Sequence[str] = ()) -> Service:
    """The service with this id, or with exactly this name.

    When several services share the name, the one serving one of ``municipalities`` (CBS codes)
    is taken; when that still leaves more than one, ``ServiceNotFound`` asks for the id.
    Defunct services are not found by name.
    """
    value = reference.strip()
    service_id = _as_uuid(value)
    if service_id is not None:
        try:
            return Service.objects.select_related("organization").get(pk=service_id)
        except Service.DoesNotExist:
            raise ServiceNotFound(
                _("No service on the social map has the id %(id)s.") % {"id": value}
            ) from None
    matches = list(
        Service.objects.visible()
        .filter(name=value)
        .select_related("organization")
        .annotate(
            in_area=Exists(
                ServiceArea.objects.filter(
                    service=OuterRef("pk"), municipality_id__in=list(municipalities)
                )
            )
        )[:20]
    )
    if not matches:
        raise ServiceNotFound(
            _("No service on the social map is called '%(name)s'. Use the exact name or the id.")
            % {"name": value}
        )
    if len(matches) > 1:
        local = [s for s in matches if getattr(s, "in_area", False)]
        if len(local) == 1:
            return local[0]
        raise ServiceNotFound(
            _("%(count)s services are called '%(name)s'. Use the id of the one you mean.")
            % {"count": len(matches), "name": value}
        )
    return matches[0]
