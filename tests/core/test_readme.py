"""The README's table of `kansrijk` commands lists every command the project defines, so an
operator who reads it finds each one (e.g. `import-instrument` for the coalitions' instruments
and the daily `purge-invitees`)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _commands_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The `kansrijk` command", 1)[1].split("\n## ", 1)[0]
    return section


def test_every_command_of_the_project_is_in_the_readme() -> None:
    defined = sorted(
        path.stem.replace("_", "-")
        for path in (ROOT / "src" / "kansrijk").glob("*/management/commands/*.py")
        if not path.name.startswith("_")
    )
    assert defined, "the commands are found"
    listed = set(re.findall(r"^\| `([a-z0-9-]+)[ `]", _commands_table(), flags=re.MULTILINE))
    assert [name for name in defined if name not in listed] == []
