"""What happens to accounts, written to the access log wherever it happens: a role granted,
changed or revoked (in the admin, a shell, a loader — model signals, so no path can forget),
an account made operator or blocked, a new password, a removed authenticator, a failed log-in
and a lock-out.

The actor is the user of the request being served (``audit.services.current_request``; none
for a command). A role event is recorded for the organisation the role is held at, so that
its administrators find it in their part of the log; the grantee is the event's object.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.accounts.models import RoleAssignment, User
from kansrijk.accounts.roles import administrative_role
from kansrijk.accounts.twofactor import remember_requirement
from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import current_request, record_event

ADMINISTRATION = "accounts.administration"
AUTHENTICATION = "accounts.authentication"


@receiver(user_logged_in)
def remember_second_factor_requirement(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        remember_requirement(request, user)


# --- Administration events --------------------------------------------------------------------


def _actor_role() -> str:
    request = current_request()
    return administrative_role(getattr(request, "user", None)) if request is not None else ""


def _record_account_event(
    user_id: Any, organisation_id: int | None, *, event_type: str, action: str, details: str
) -> None:
    """An administration event about the account ``user_id``, recorded for the organisation
    ``organisation_id``, by the user of the request being served."""
    record_event(
        event_type=event_type,
        action=action,
        object_type="accounts.user",
        object_id=user_id,
        organisation_id=organisation_id,
        role=_actor_role(),
        purpose=ADMINISTRATION,
        details=details,
    )


# --- Roles ------------------------------------------------------------------------------------


def _role_details(assignment: RoleAssignment, **extra: str) -> str:
    user = User.objects.filter(pk=assignment.user_id).only("username").first()
    parts = {
        "role": assignment.role,
        "organisation": str(assignment.effective_organisation_id or "-"),
        "user": user.username if user is not None else str(assignment.user_id),
        **extra,
    }
    return " ".join(f"{key}={value}" for key, value in parts.items())


def _record_role_event(
    assignment: RoleAssignment, *, event_type: str, action: str, **extra: str
) -> None:
    _record_account_event(
        assignment.user_id,
        assignment.effective_organisation_id,
        event_type=event_type,
        action=action,
        details=_role_details(assignment, **extra),
    )


@receiver(pre_save, sender=RoleAssignment)
def _remember_previous_grant(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    instance._previous_grant = (  # type: ignore[attr-defined]
        RoleAssignment.objects.filter(pk=instance.pk).first() if instance.pk else None
    )


@receiver(post_save, sender=RoleAssignment)
def _log_grant(sender: Any, instance: RoleAssignment, created: bool, **kwargs: Any) -> None:
    previous: RoleAssignment | None = getattr(instance, "_previous_grant", None)
    if not created and previous is not None:
        if (previous.role, previous.organisation_id) == (instance.role, instance.organisation_id):
            return
        # Another role or organisation: the old grant ends, a new one starts.
        _record_role_event(previous, event_type="accounts.role.revoke", action=Action.DELETE)
    _record_role_event(instance, event_type="accounts.role.grant", action=Action.CREATE)


@receiver(post_delete, sender=RoleAssignment)
def _log_revocation(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    _record_role_event(instance, event_type="accounts.role.revoke", action=Action.DELETE)


@receiver(m2m_changed, sender=RoleAssignment.municipalities.through)
def _log_scope_change(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    assignments = (
        [instance] if not reverse else list(RoleAssignment.objects.filter(pk__in=pk_set or ()))
    )
    codes = (
        ",".join(sorted(str(pk) for pk in pk_set))
        if not reverse and pk_set
        else str(getattr(instance, "pk", ""))
    )
    change = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    for assignment in assignments:
        _record_role_event(
            assignment,
            event_type="accounts.role.municipalities",
            action=Action.UPDATE,
            **{change: codes or "all"},
        )


# --- Accounts -----------------------------------------------------------------------------------

#: Changes to an account that change what it may do.
_WATCHED = {"is_superuser": "accounts.operator", "is_active": "accounts.active"}


@receiver(pre_save, sender=get_user_model())
def _log_account_powers(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    if instance.pk is None:
        return
    # A new password (``set_password`` keeps the raw one until the save; a hash upgrade at
    # log-in clears it first): with a removed authenticator it lets whoever set it sign in.
    if getattr(instance, "_password", None) is not None:
        _record_account_event(
            instance.pk,
            instance.organisation_id,
            event_type="accounts.password.set",
            action=Action.UPDATE,
            details=f"user={instance.username}",
        )
    watched = [f for f in _WATCHED if update_fields is None or f in update_fields]
    if not watched:
        return  # e.g. the last-log-in time: nothing that changes what the account may do
    before = sender.objects.filter(pk=instance.pk).values(*watched).first()
    if before is None:
        return
    for field in watched:
        if before[field] == getattr(instance, field):
            continue
        granted = bool(getattr(instance, field))
        _record_account_event(
            instance.pk,
            instance.organisation_id,
            event_type=f"{_WATCHED[field]}.{'grant' if granted else 'revoke'}",
            action=Action.UPDATE,
            details=f"user={instance.username} {field}={granted}",
        )


@receiver(post_delete, sender=TOTPDevice)
def _log_removed_authenticator(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    """A confirmed authenticator removed (the admin, a shell, or a new one set up in its
    place); an unfinished set-up was nobody's second factor."""
    if not instance.confirmed:
        return
    user = User.objects.filter(pk=instance.user_id).only("username", "organisation_id").first()
    if user is None:
        return  # the account itself is being deleted
    _record_account_event(
        user.pk,
        user.organisation_id,
        event_type="accounts.second_factor.remove",
        action=Action.DELETE,
        details=f"user={user.username} device={instance.pk}",
    )


# --- Log-ins ------------------------------------------------------------------------------------


def _account(username: Any) -> Any:
    """The account a log-in attempt named, if it exists (the name typed is not stored when
    it names none: it may be a mistyped password)."""
    if not isinstance(username, str) or not username:
        return None
    return get_user_model().objects.filter(username=username).first()


def _log_attempt(request: HttpRequest | None, user: Any, event_type: str, outcome: str) -> None:
    """A log-in that did not pass, about the account it named (``None``: no such account)."""
    record_event(
        request=request,
        user=user,
        event_type=event_type,
        action=Action.LOGIN,
        outcome=outcome,
        object_type="accounts.user" if user is not None else "",
        object_id=user.pk if user is not None else "",
        purpose=AUTHENTICATION,
    )


@receiver(user_login_failed)
def _log_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user = _account(credentials.get("username"))
    _log_attempt(request, user, "accounts.login", Outcome.FAILURE)


@receiver(user_locked_out)
def _log_lockout(
    sender: Any, request: HttpRequest | None = None, username: Any = None, **kwargs: Any
) -> None:
    user = _account(username)
    _log_attempt(request, user, "accounts.lockout", Outcome.DENIED)
