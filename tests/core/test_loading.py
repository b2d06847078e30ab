"""The report line of a load of reference data (``core.loading.LoadCounts.report``)."""

from __future__ import annotations

from kansrijk.core.loading import LoadCounts


def test_report_names_the_counts_of_one_table() -> None:
    counts = LoadCounts(total=41, created=2, updated=1, unchanged=38, not_in_source=0)
    assert counts.report("situations") == (
        "situations: 41 in the file, 2 created, 1 updated, 38 unchanged"
    )


def test_report_names_the_rows_the_source_no_longer_has() -> None:
    counts = LoadCounts(total=342, created=0, updated=0, unchanged=342, not_in_source=3)
    assert counts.report("municipalities", "the files") == (
        "municipalities: 342 in the files, 0 created, 0 updated, 342 unchanged, "
        "3 in the database but not in the files (kept)"
    )
