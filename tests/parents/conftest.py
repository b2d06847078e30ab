from __future__ import annotations

from collections.abc import Iterator

import pytest

from kansrijk.parents.content import LoadReport, load_content
from tests.scoped import data_for_scope


@pytest.fixture(scope="module")
def content_rows(request: pytest.FixtureRequest) -> Iterator[LoadReport]:
    yield from data_for_scope(request, load_content)


@pytest.fixture
def content(db: None, content_rows: LoadReport) -> None:
    """The national parent pages and cost items, as `kansrijk load-parent-content` loads them:
    loaded once for the module's tests (``tests/scoped.py``); what a test changes is undone after
    it."""
