"""The `kansrijk` console script: Django's management commands under one name.

`kansrijk import-hsds PATH` runs the management command `import_hsds`; hyphens and
underscores are interchangeable in command names.
"""

from __future__ import annotations

import os
import sys

#: The settings of a `kansrijk` command when DJANGO_SETTINGS_MODULE names none.
DEFAULT_SETTINGS = "kansrijk.conf.dev"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
