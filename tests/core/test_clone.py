"""What a fresh clone holds is all the repository may point to: the team's working notes lie
beside the checkout (``../shared/…``), and a reader of a clone cannot open them (issue 12,
point 7)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".md", ".py", ".html", ".txt", ".toml", ".yaml", ".yml", ".json", ".css", ".js"}


def test_nothing_points_outside_the_clone() -> None:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*"), *(ROOT / "src").rglob("*")]
    pointing = [
        str(path.relative_to(ROOT))
        for path in files
        if path.suffix in SUFFIXES
        and "/vendor/" not in path.as_posix()
        and "../shared" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert pointing == []
