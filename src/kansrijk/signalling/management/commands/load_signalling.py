"""``kansrijk load-signalling``: load the default grading rules and the preconception guide."""

from __future__ import annotations

from pathlib import Path

from kansrijk.core.commands import LoadCommand
from kansrijk.signalling.exceptions import SignallingError
from kansrijk.signalling.services import load_default_guide, load_default_rules


class Command(LoadCommand):
    help = (
        "Load the grading rules (signalling/data/grading-rules-v1.json) and the Wegwijzer "
        "preconceptie (signalling/data/wegwijzer-preconceptie-v1.json), or other versions of "
        "them. Safe to run again: a published version that exists is left alone."
    )
    files = {"--rules": "A rule set JSON file.", "--guide": "A decision tree JSON file."}
    errors = (SignallingError,)
    done = "Signalling data loaded."

    def load(self, rules: Path | None, guide: Path | None) -> list[str]:
        loaded_rules = load_default_rules(rules)
        loaded_guide = load_default_guide(guide)
        lines = []
        for name, result in (("grading rules", loaded_rules), ("guide", loaded_guide)):
            state = "loaded" if result["created"] else "already there, left alone"
            lines.append(f"{name} version {result['version']}: {state}")
        return lines
