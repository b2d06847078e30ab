#!/usr/bin/env python
"""Django's command-line utility; `uv run kansrijk …` is the same with a shorter name."""

from kansrijk.cli import main

if __name__ == "__main__":
    main()
