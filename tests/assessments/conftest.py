"""The workspace fixtures of ``tests/coalitions`` serve the self-assessment tests too."""

from tests.coalitions.conftest import _english, client, instrument, workspace  # noqa: F401
