"""One freshness mechanism for everything a process keeps: version tokens, kept values, markup.

**Version tokens.** Each kind of data (``KINDS``: the accounts, the places, the social map, the
situations catalogue, coalitions, pathways, interventions, the signalling rules, the monitor's
figures, the parent pages) has a version number in the database (``core.DataVersion``). Every write raises it: saves and deletes of the kind's
models through Django's signals (``watch``, connected when the app loads), bulk writes
(``bulk_create``, ``update``, which send no signals) by calling ``bump(kind)`` themselves. The
number is raised right after the write's transaction commits, in a statement of its own, so no
lock is held for the length of a long import; in the process that wrote, ``bump`` takes effect
at once (even before the commit, and in tests, whose transactions never commit). Every process
reads all numbers in one query at most every ``TOKEN_SECONDS`` (``token(kinds)``): a change
made through one process shows in every other within ``TOKEN_SECONDS``. What changes without a
bump (SQL by hand) shows when the values kept from it expire.

**Kept values.** ``Kept`` is the one in-process cache: values by key, each kept at most
``seconds``, at most ``size`` of them (the longest kept go first), emptied when the token of its
``kinds`` changes (or, with ``on_change``, told what changed). A pure function of its arguments
(a cache key from its parts, a word's stem) is memoised with ``memo`` instead. Every ``Kept``
and ``memo`` is registered by name; ``forget_all()`` empties every one of them (tests; after a
data load in this process).
Keys for the shared cache (``django.core.cache``) carry ``token(kinds)`` themselves.

**Markup versions.** ``markup_version(template)`` is a digest of a template's source, of the
templates it includes or extends (with constant names), and of the project's translation
catalogues: part of every key under which rendered markup is kept, so that a deployment that
changes the markup never serves what the old templates rendered.

``docs/development.md`` ("The performance layer") says which caches use what.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

__all__ = [
    "KINDS",
    "TOKEN_SECONDS",
    "Kept",
    "bump",
    "changed_kinds",
    "forget_all",
    "markup_version",
    "memo",
    "registered",
    "token",
    "versions",
    "watch",
]

#: Kinds of data, and what is of that kind: every model of an app (``"places"``) or one model
#: (``"coalitions.Coalition"``). Reference data and content edited by a few people: what
#: processes keep; and the accounts (users, organisations, roles, second factors), which the
#: requests of a signed-in user read each time (``accounts.signed_in``). Referrals and the
#: access log are not kept by any process, so not here.
KINDS: dict[str, tuple[str, ...]] = {
    "accounts": ("accounts", "otp_totp", "otp_static"),
    "places": ("places",),
    "directory": ("directory",),
    "situations": ("situations",),
    "coalitions": ("coalitions.Coalition",),
    "pathways": ("pathways",),
    "interventions": ("interventions",),
    "rules": ("signalling",),
    "monitoring": ("monitoring.Indicator", "monitoring.IndicatorValue"),
    "parents": ("parents",),
}

#: Seconds a process trusts the version numbers it read last.
TOKEN_SECONDS = 2.0

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


# --- Version tokens ------------------------------------------------------------------------------


class _Reading:
    """The version numbers as read at ``read_at`` (``generation`` counts the readings)."""

    __slots__ = ("generation", "read_at", "tokens", "versions")

    def __init__(self, versions: dict[str, int], read_at: float, generation: int) -> None:
        self.versions = versions
        self.read_at = read_at
        self.generation = generation
        self.tokens: dict[tuple[str, ...], str] = {}

    def token(self, kinds: tuple[str, ...]) -> str:
        found = self.tokens.get(kinds)
        if found is None:
            found = self.tokens[kinds] = ",".join(_kind_token(kind, self) for kind in kinds)
        return found


_reading: _Reading | None = None
_generation = 0
_lock = threading.Lock()
#: Bumps made in this process: per kind, the number read before the first of them and how
#: many. Until a number above it is read (the bump's commit, or another's), the token carries
#: this process's own mark, so that what it keeps after its write is kept under a new token.
_own: dict[str, tuple[int, int]] = {}
_process: list[str] = []


def _process_mark() -> str:
    if not _process:
        _process.append(f"{os.getpid()}.{uuid.uuid4().hex[:8]}")
    return _process[0]


os.register_at_fork(after_in_child=_process.clear)


def _kind_token(kind: str, reading: _Reading) -> str:
    if kind not in KINDS:
        raise KeyError(f"unknown kind of data: {kind}")
    number = reading.versions.get(kind, 0)
    own = _own.get(kind)
    if own is not None and number <= own[0]:
        return f"{kind}={number}~{_process_mark()}.{own[1]}"
    return f"{kind}={number}"


def _read() -> dict[str, int]:
    from kansrijk.core.models import DataVersion

    return dict(DataVersion.objects.values_list("kind", "version"))


def _current() -> _Reading:
    global _reading, _generation
    reading = _reading
    now = time.monotonic()
    if reading is None or now - reading.read_at > TOKEN_SECONDS:
        numbers = _read()
        with _lock:
            _generation += 1
            reading = _reading = _Reading(numbers, now, _generation)
    return reading


def versions() -> dict[str, int]:
    """Each kind's version number as this process read it last (at most ``TOKEN_SECONDS`` ago)."""
    return dict(_current().versions)


def changed_kinds(old: str, new: str) -> set[str]:
    """The kinds whose part differs between two tokens of the same kinds (``token``)."""
    before = dict(part.split("=", 1) for part in old.split(",") if part)
    after = dict(part.split("=", 1) for part in new.split(",") if part)
    return {kind for kind in before.keys() | after.keys() if before.get(kind) != after.get(kind)}


def token(kinds: Iterable[str]) -> str:
    """What the data of these kinds is now, as a short string for cache keys, such as
    ``"directory=41,places=2"``: it changes with every write of any of them."""
    return _current().token(tuple(kinds))


def bump(kind: str) -> None:
    """Say that data of ``kind`` was written: at once in this process, and in every process
    once the transaction commits (within ``TOKEN_SECONDS``)."""
    if kind not in KINDS:
        raise KeyError(f"unknown kind of data: {kind}")
    reading = _reading if _reading is not None else _current()
    with _lock:
        read = reading.versions.get(kind, 0)
        floor, count = _own.get(kind, (read, 0))
        _own[kind] = (max(floor, read), count + 1)
        reading.read_at = float("-inf")  # read again at the next look, with this bump's mark
    if connection.in_atomic_block:
        # Once per kind and transaction (an import saves thousands of rows).
        pending: tuple[list[Any], set[str]] | None = getattr(connection, "_kansrijk_bumps", None)
        if pending is None or pending[0] is not connection.run_on_commit:
            pending = (connection.run_on_commit, set())
            connection._kansrijk_bumps = pending  # type: ignore[attr-defined]
        if kind in pending[1]:
            return
        pending[1].add(kind)
    transaction.on_commit(lambda: _raise_number(kind))


def _raise_number(kind: str) -> None:
    """``version = version + 1`` in a statement of its own (after the write's commit)."""
    from django.db.models import F

    from kansrijk.core.models import DataVersion

    if not DataVersion.objects.filter(kind=kind).update(version=F("version") + 1):
        # The first write of this kind: another process may be making the row just now.
        DataVersion.objects.bulk_create([DataVersion(kind=kind, version=0)], ignore_conflicts=True)
        DataVersion.objects.filter(kind=kind).update(version=F("version") + 1)
    reading = _reading
    if reading is not None:
        reading.read_at = float("-inf")


_kind_of_model: dict[type[models.Model], str] = {}


def _kinds_by_model() -> dict[type[models.Model], str]:
    if not _kind_of_model:
        for kind, names in KINDS.items():
            for name in names:
                if "." in name:
                    model = apps.get_model(name)
                    _kind_of_model[model] = kind
                    # Its own many-to-many links (their tables belong to it).
                    for field in model._meta.local_many_to_many:
                        through = field.remote_field.through
                        if through._meta.auto_created:
                            _kind_of_model[through] = kind
                else:
                    for model in apps.get_app_config(name).get_models(include_auto_created=True):
                        _kind_of_model[model] = kind
    return _kind_of_model


def _changed(sender: type, **kwargs: Any) -> None:
    kind = _kinds_by_model().get(sender)
    if kind is not None and not kwargs.get("raw"):
        bump(kind)


def _changed_links(sender: type, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender)


def watch() -> None:
    """Bump the kind of every model of ``KINDS`` saved or deleted, and of every many-to-many
    link of theirs changed (``CoreConfig.ready``); forget everything kept when a setting changes
    (tests). Models that ``migrate`` builds from history are not watched.

    The receivers are connected for those models only (``sender``): a receiver for every model
    would keep Django from deleting any row without first reading it (``QuerySet.delete``
    reads each row to send it to the receivers), so purging the access log or old referrals
    would read every row it deletes."""
    from django.core.signals import setting_changed
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in _kinds_by_model():
        label = model._meta.label
        post_save.connect(_changed, sender=model, dispatch_uid=f"kansrijk-freshness-save-{label}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"kansrijk-freshness-delete-{label}"
        )
        m2m_changed.connect(
            _changed_links, sender=model, dispatch_uid=f"kansrijk-freshness-links-{label}"
        )
    # What is kept was made under the settings of the time (languages, URLs, templates).
    setting_changed.connect(_settings_changed, dispatch_uid="kansrijk-freshness-settings")


def _settings_changed(**kwargs: Any) -> None:
    forget_all()


# --- Kept values ---------------------------------------------------------------------------------

_registry: dict[str, Kept[Any, Any]] = {}


class Kept(Generic[K, V]):
    """An in-process cache (see the module doc). ``kinds``: the kinds of data its values come
    from; when their token changes the values are forgotten, or ``on_change(kept, old, new)``
    is called instead (to forget only what changed). Safe to use from several threads."""

    def __init__(
        self,
        name: str,
        *,
        seconds: float,
        size: int,
        kinds: Iterable[str] = (),
        on_change: Callable[[Kept[K, V], str, str], None] | None = None,
    ) -> None:
        if name in _registry:
            raise ValueError(f"a kept cache named {name!r} exists already")
        self.name = name
        self.seconds = seconds
        self.size = size
        self.kinds = tuple(sorted(kinds))
        for kind in self.kinds:
            if kind not in KINDS:
                raise KeyError(f"unknown kind of data: {kind}")
        self.on_change = on_change
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = -1
        self._token: str | None = None
        _registry[name] = self

    def __repr__(self) -> str:
        return f"<Kept {self.name}: {len(self._entries)} of {self.size}, {self.seconds} s>"

    def __len__(self) -> int:
        return len(self._entries)

    def _fresh(self) -> None:
        """Forget (or let ``on_change`` forget) what the data's token no longer stands for."""
        if not self.kinds:
            return
        reading = _reading
        if (
            reading is not None
            and reading.generation == self._generation
            and time.monotonic() - reading.read_at <= TOKEN_SECONDS
        ):
            return
        reading = _current()
        new = reading.token(self.kinds)
        old = self._token
        if new != old:
            if old is not None and self.on_change is not None:
                self.on_change(self, old, new)
            else:
                self.forget()
            self._token = new
        self._generation = reading.generation

    def get(self, key: K, default: V | None = None) -> V | None:
        self._fresh()
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.seconds:
            return default
        return entry[1]

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The kept values among ``keys``."""
        self._fresh()
        entries = self._entries
        if self.seconds == float("inf"):
            return {key: entry[1] for key in keys if (entry := entries.get(key)) is not None}
        oldest = time.monotonic() - self.seconds
        return {
            key: entry[1]
            for key in keys
            if (entry := entries.get(key)) is not None and entry[0] >= oldest
        }

    def as_dict(self) -> dict[K, V]:
        """What is kept now, by key (also what has expired but is not dropped yet)."""
        return {key: entry[1] for key, entry in list(self._entries.items())}

    def stored_at(self, key: K) -> float | None:
        """When the value of ``key`` was stored (``time.monotonic``), if it is kept."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def put(self, key: K, value: V) -> V:
        self.put_many({key: value})
        return value

    def put_many(self, values: Mapping[K, V]) -> None:
        self._fresh()  # values are kept for the data as it is now
        now = time.monotonic()
        with self._lock:
            entries = self._entries
            for key, value in values.items():
                entries[key] = (now, value)
                entries.move_to_end(key)
            while len(entries) > self.size:
                entries.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The kept value of ``key``, or ``make()`` kept."""
        found = self.get(key)
        if found is None:
            found = self.put(key, make())
        return found

    def forget(self, keys: Iterable[K] | None = None) -> None:
        """Forget ``keys`` (all values when ``None``)."""
        with self._lock:
            if keys is None:
                self._entries.clear()
            else:
                for key in keys:
                    self._entries.pop(key, None)


F = TypeVar("F", bound=Callable[..., Any])
_memos: dict[str, Any] = {}


def memo(name: str, *, size: int) -> Callable[[F], F]:
    """``functools.lru_cache`` for a pure function: its result depends on its arguments alone
    (never on data, so no token), such as a cache key made of its parts or the Dutch stem of a
    word. Registered like a ``Kept``: ``forget_all`` empties it too."""

    def decorate(function: F) -> F:
        if name in _memos or name in _registry:
            raise ValueError(f"a kept cache named {name!r} exists already")
        cached = functools.lru_cache(maxsize=size)(function)
        _memos[name] = cached
        return cast(F, cached)

    return decorate


def registered() -> dict[str, Any]:
    """Every ``Kept`` and every ``memo`` by name."""
    return {**_registry, **_memos}


def forget_all() -> None:
    """Empty every ``Kept`` and ``memo``, and read the version numbers again next time."""
    global _reading
    _reading = None
    for kept in list(_registry.values()):
        kept.forget()
        kept._token = None
        kept._generation = -1
    for cached in list(_memos.values()):
        cached.cache_clear()


# --- Markup versions -----------------------------------------------------------------------------

_markup: Kept[tuple[str, ...], str] = Kept("core.markup-versions", seconds=float("inf"), size=200)


def markup_version(*template_names: str) -> str:
    """A digest (12 hex digits) of these templates, of what they include or extend, and of the
    project's translation catalogues: a new value whenever the markup they give can change."""
    return _markup.get_or_make(template_names, lambda: _digest(template_names))


def _digest(template_names: Iterable[str]) -> str:
    digest = hashlib.sha256()
    seen: set[str] = set()
    pending = list(template_names)
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        source, children = _template_source(name)
        digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        pending.extend(children)
    for path in _catalogues():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _template_source(name: str) -> tuple[str, list[str]]:
    """A template's source and the constant names it includes or extends."""
    from django.template import loader
    from django.template.loader_tags import ExtendsNode, IncludeNode

    template = loader.get_template(name)
    inner = getattr(template, "template", template)
    children: list[str] = []
    nodelist = getattr(inner, "nodelist", None)
    if nodelist is not None:
        for node in nodelist.get_nodes_by_type(IncludeNode):
            children.extend(_constant(node.template))
        for node in nodelist.get_nodes_by_type(ExtendsNode):
            children.extend(_constant(node.parent_name))
    return str(getattr(inner, "source", "")), children


def _constant(expression: Any) -> list[str]:
    """The template name a tag names, when it is a constant (not a variable)."""
    value = getattr(expression, "var", None)
    if isinstance(value, str) and not getattr(expression, "filters", None):
        return [value]
    return []


def _catalogues() -> list[Path]:
    """The compiled translation catalogues of the project (``LOCALE_PATHS`` and the apps')."""
    folders = [Path(path) for path in settings.LOCALE_PATHS]
    folders += [
        Path(config.path) / "locale"
        for config in apps.get_app_configs()
        if config.name.startswith("kansrijk.")
    ]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.mo"))
