"""The accessibility check the browser tests use (``assert_accessible``) finds violations, also
when it runs again on the same document, and leaves out only the parts it is told to."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible

DOCUMENT = """<!doctype html><html lang="nl"><head><title>Toets</title></head><body><main>
<h1>Toets</h1><img src="zonder-alt.png"><div id="vendored"><img src="ook-zonder-alt.png"></div>
</main></body></html>"""


def test_the_check_finds_what_it_does_not_leave_out(chromium_browser: Any, axe: Any) -> None:
    page = chromium_browser.new_page()
    page.set_content(DOCUMENT)
    with pytest.raises(AssertionError, match=r"zonder-alt\.png.*ook-zonder-alt\.png"):
        assert_accessible(axe, page)
    with pytest.raises(AssertionError) as again:  # axe-core is in the document already
        assert_accessible(axe, page, exclude=("#vendored",))
    assert "ook-zonder-alt" not in str(again.value).splitlines()[0]
    assert_accessible(axe, page, exclude=("main",))
    page.close()
