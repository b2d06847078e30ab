"""Translation upkeep: `uv run python scripts/messages.py [update|check|compile]`.

Source strings (msgids) are English; every one needs a Dutch translation, because Dutch is
the default interface language.

The public pages for parents (``kansrijk.parents``) are also in Arabic, Turkish, Polish,
Ukrainian and Tigrinya (``kansrijk.parents.languages``). Only the parents app has catalogues
in those languages: the professional apps stay Dutch and English. In those catalogues every
string that a parent can see must be translated — the strings of the public templates and
modules (``PUBLIC_PARENT_FILES``); the editors' strings (field names, the editor pages) may
stay empty there, because the editor is shown in Dutch or English only. The parents app's
catalogues keep the file of each string (``#: templates/parents/page.html``) to tell which is
which.

- update: run makemessages for every locale folder (each app with its own ``locale/``, and
  the project-level ``src/kansrijk/locale`` for everything else), then compile.
- check: fail when a required msgstr is empty or fuzzy, when a string in the code is missing
  from the .po files, or when a compiled .mo file is stale. Used by CI.
- compile: compilemessages only.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "kansrijk"
LANG = "nl"
sys.path.insert(0, str(ROOT / "src"))
from kansrijk.parents.languages import PARENT_ONLY_CATALOGUES  # noqa: E402

PARENTS_APP = Path("parents")
#: Files of the parents app whose strings a parent sees (relative to the app). Everything
#: else in the app (models' field names, the editor) is for editors, in Dutch or English.
PUBLIC_PARENT_FILES = (
    "templates/parents/*.html",
    "choices.py",
    "nearby.py",
    "forms.py",
    "selectors.py",
    "views.py",
)


def app_dirs_with_locale() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.glob("*/locale") if p.parent != PACKAGE)


def languages_of(app: Path) -> list[str]:
    """The catalogues an app keeps: Dutch, and for the parents app the parent languages too."""
    return [LANG, *PARENT_ONLY_CATALOGUES] if app.name == PARENTS_APP.name else [LANG]


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@functools.cache
def _django() -> None:
    """Django set up once for this process, with the test settings whatever the shell says."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "kansrijk.conf.test"
    django.setup()


def django_admin(args: list[str], cwd: Path) -> None:
    """Run a management command in ``cwd`` (makemessages reads the folder it runs in). All
    commands share this process and its one Django set-up: a process per command cost about a
    second each, most of ``check``'s time."""
    from django.core.management import call_command

    _django()
    with _working_directory(cwd):
        call_command(*args)


def makemessages(package: Path) -> None:
    ignores: list[str] = []
    for app in app_dirs_with_locale():
        rel = app.relative_to(package) if app.is_relative_to(package) else None
        if rel is not None:
            ignores += ["-i", f"{rel}/*"]
    base = ["makemessages", "--no-obsolete", "-i", "static/*"]
    django_admin([*base, "-l", LANG, "--no-location", *ignores], cwd=package)
    for app in app_dirs_with_locale():
        app_in = package / app.relative_to(PACKAGE)
        codes = [arg for code in languages_of(app) for arg in ("-l", code)]
        location = "--add-location=file" if app.name == PARENTS_APP.name else "--no-location"
        django_admin([*base, *codes, location], cwd=app_in)


def po_files(package: Path = PACKAGE) -> list[Path]:
    found = set(package.glob(f"**/locale/{LANG}/LC_MESSAGES/django.po"))
    for code in PARENT_ONLY_CATALOGUES:
        found |= set(package.glob(f"{PARENTS_APP}/locale/{code}/LC_MESSAGES/django.po"))
    return sorted(found)


def compile_all() -> None:
    codes = [arg for code in [LANG, *PARENT_ONLY_CATALOGUES] for arg in ("-l", code)]
    django_admin(["compilemessages", *codes], cwd=PACKAGE)


def _language(po_path: Path) -> str:
    return po_path.parent.parent.name


def _public(entry: polib.POEntry) -> bool:
    """Whether a parent can see this string (see ``PUBLIC_PARENT_FILES``)."""
    return any(
        Path(path).match(pattern)
        for path, _line in entry.occurrences
        for pattern in PUBLIC_PARENT_FILES
    )


def check() -> int:
    problems: list[str] = []
    # 1. Translations missing or fuzzy in the committed files.
    for po_path in po_files():
        po = polib.pofile(str(po_path))
        language = _language(po_path)
        required = (lambda entry: True) if language == LANG else _public
        for entry in po.untranslated_entries():
            if required(entry):
                problems.append(
                    f"{po_path.relative_to(ROOT)}: no {language} translation for {entry.msgid!r}"
                )
        for entry in po.fuzzy_entries():
            problems.append(f"{po_path.relative_to(ROOT)}: fuzzy translation for {entry.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(f"{mo_path.relative_to(ROOT)}: not compiled")
        else:
            compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
            source = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
            if compiled != source and {k: v for k, v in compiled.items() if k[1]} != source:
                problems.append(
                    f"{mo_path.relative_to(ROOT)}: stale, run `uv run python scripts/messages.py compile`"
                )
    # 2. Strings in the code that the .po files do not have yet.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "kansrijk"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        makemessages(copy)
        for po_path in po_files(copy):
            rel = po_path.relative_to(copy)
            committed = PACKAGE / rel
            known = (
                {(e.msgctxt, e.msgid) for e in polib.pofile(str(committed))}
                if committed.exists()
                else set()
            )
            for entry in polib.pofile(str(po_path)):
                if (entry.msgctxt, entry.msgid) not in known:
                    problems.append(f"src/kansrijk/{rel}: missing msgid {entry.msgid!r}")
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"\n{len(problems)} translation problem(s). Run `uv run python scripts/messages.py update` and translate."
        )
        return 1
    print(f"Translations complete: {len(po_files())} catalogue(s).")
    return 0


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        makemessages(PACKAGE)
        compile_all()
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        return check()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
