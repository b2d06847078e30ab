from __future__ import annotations

import pytest

from kansrijk.parents.content import load_content


@pytest.fixture
def content(db: None) -> None:
    """The national parent pages and cost items, as `kansrijk load-parent-content` loads them."""
    load_content()
