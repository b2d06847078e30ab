"""`kansrijk import-indicators`: CSV or folder, Dutch Excel exports, all or nothing with a report of
every bad row, re-import without duplicates, regional totals computed and protected."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kansrijk.monitoring.importing import ImportFailed, Scope, import_path, import_uploads
from kansrijk.monitoring.models import Indicator, IndicatorValue, Origin

pytestmark = pytest.mark.django_db

GOOD = (
    "indicator,area,period,numerator,denominator,value\n"
    "big2,GM0090,2023,60,400,15.0\n"
    "big2,GM0090,2019-2023,300,2000,\n"
    "big2,NL01,2023,24000,165000,14.5\n"
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_a_good_file_is_imported(catalogue, tmp_path):
    report = import_path(_write(tmp_path, "values.csv", GOOD))
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    value = IndicatorValue.objects.get(area_code="GM0090", period_start=2019)
    assert (value.period_end, value.numerator, value.denominator, value.value) == (
        2023,
        300,
        2000,
        15.0,
    )
    assert value.period == "2019-2023"


def test_dutch_excel_export_semicolons_decimal_commas_and_bom(catalogue, tmp_path):
    text = (
        "indicator;area;period;numerator;denominator;value\r\n"
        "big2;GM0090;2023;60;400;15,0\r\n"
        "inwoners;GM0090;2021;;;56.130\r\n"
    )
    path = tmp_path / "values.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    import_path(path)
    assert IndicatorValue.objects.get(indicator__code="big2", area_code="GM0090").value == 15.0
    # A Dutch thousands separator in a count: 56.130 people.
    assert IndicatorValue.objects.get(indicator__code="inwoners", area_code="GM0090").value == 56130


def test_every_bad_row_is_reported_and_nothing_changes(catalogue, tmp_path):
    import_path(_write(tmp_path, "first.csv", GOOD))
    before = list(IndicatorValue.objects.order_by("pk").values())
    bad = (
        "indicator,area,period,numerator,denominator,value\n"
        "big2,GM0090,2024,70,400,17.5\n"  # fine on its own
        "big2,GM9999,2023,60,400,15\n"  # unknown area
        "onbekend,GM0090,2023,60,400,15\n"  # unknown indicator
        "big2,GM0090,23,60,400,15\n"  # malformed period
        "big2,GM0096,2023,500,400,\n"  # numerator above denominator
        "big2,GM0098,2023,-5,400,\n"  # negative count
        "big2,GM0086,2023,60,400,20\n"  # value does not match
        "big2,GM0086,2022,zes,400,\n"  # not a number
        "verwijzingen-verstuurd,GM0090,2023,40,,\n"  # computed by Kansrijk
    )
    with pytest.raises(ImportFailed) as failure:
        import_path(_write(tmp_path, "values.csv", bad))
    problems = [(p.file, p.row, p.column) for p in failure.value.report.problems]
    assert problems == [
        ("values.csv", 3, "area"),
        ("values.csv", 4, "indicator"),
        ("values.csv", 5, "period"),
        ("values.csv", 6, "numerator"),
        ("values.csv", 7, "numerator"),
        ("values.csv", 8, "value"),
        ("values.csv", 9, "numerator"),
        ("values.csv", 10, "indicator"),
    ]
    reasons = [p.reason for p in failure.value.report.problems]
    assert "Onbekend gebied 'GM9999'" in reasons[0]
    assert "komt niet overeen" in reasons[5]
    assert list(IndicatorValue.objects.order_by("pk").values()) == before


def test_reimport_updates_without_duplicates(catalogue, tmp_path):
    import_path(_write(tmp_path, "values.csv", GOOD))
    count = IndicatorValue.objects.count()
    changed = GOOD.replace("big2,GM0090,2023,60,400,15.0", "big2,GM0090,2023,80,400,20")
    report = import_path(_write(tmp_path, "values.csv", changed))
    assert (report.created, report.updated) == (0, 3)
    assert IndicatorValue.objects.count() == count
    assert (
        IndicatorValue.objects.get(area_code="GM0090", period_start=2023, period_end=2023).value
        == 20
    )


def test_a_folder_with_indicators_and_values(catalogue, tmp_path):
    _write(
        tmp_path,
        "indicators.csv",
        "code,name,unit,direction,phase,source,definition\n"
        "roken-zwangerschap,Roken in de zwangerschap,percentage,lower_is_better,pregnancy,Perined,"
        "Voorbeeld van een eigen definitie\n",
    )
    _write(
        tmp_path,
        "values.csv",
        "indicator,area,period,numerator,denominator,value\nroken-zwangerschap,GM0090,2023,40,500,8\n",
    )
    report = import_path(tmp_path)
    assert report.indicators_created == 1
    indicator = Indicator.objects.get(code="roken-zwangerschap")
    assert indicator.indicator_set == "own"
    assert indicator.values.get().value == 8


def test_a_bad_unit_in_indicators_csv_is_reported_there_not_as_the_values_fault(
    catalogue, tmp_path
):
    _write(
        tmp_path,
        "indicators.csv",
        "code,name,unit,direction,phase,source,definition\n"
        "roken-zwangerschap,Roken in de zwangerschap,percent,lower_is_better,pregnancy,Perined,"
        "Voorbeeld van een eigen definitie\n",
    )
    _write(
        tmp_path,
        "values.csv",
        "indicator,area,period,numerator,denominator\nroken-zwangerschap,GM0090,2023,40,500\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_path(tmp_path)
    assert [(p.file, p.row, p.column) for p in failed.value.report.problems] == [
        ("indicators.csv", 2, "unit")
    ]
    assert not Indicator.objects.filter(code="roken-zwangerschap").exists()


def test_formulas_in_definitions_are_refused(catalogue, tmp_path):
    _write(
        tmp_path,
        "indicators.csv",
        "code,name,unit,direction,phase,source,definition\n"
        'x,=HYPERLINK("http://example.invalid"),count,neutral,pregnancy,CBS,iets\n',
    )
    with pytest.raises(ImportFailed) as failure:
        import_path(tmp_path)
    assert [(p.row, p.column) for p in failure.value.report.problems] == [(2, "name")]


def test_an_analyst_imports_only_for_own_municipalities_and_own_indicators(catalogue):
    scope = Scope(areas=frozenset({"GM0090"}), catalogue=False)
    with pytest.raises(ImportFailed) as failure:
        import_uploads(
            values=("values.csv", GOOD.encode()),
            indicators=(
                "indicators.csv",
                b"code,name,unit,direction,phase,source,definition\nbig2,Anders,percentage,"
                b"neutral,postnatal,Perined,anders\n",
            ),
            scope=scope,
        )
    problems = [(p.file, p.row, p.column) for p in failure.value.report.problems]
    assert ("indicators.csv", 2, "code") in problems  # the public catalogue
    assert ("values.csv", 4, "area") in problems  # NL01 is not theirs


def test_regional_totals_are_computed_and_withheld_when_they_would_reveal(catalogue, tmp_path):
    from kansrijk.places.models import Municipality

    members = list(
        Municipality.objects.filter(ggd_region_id="GG7206")
        .order_by("code")
        .values_list("code", flat=True)
    )
    lines = ["indicator,area,period,numerator,denominator"]
    for index, code in enumerate(members):
        numerator = 4 if index == 0 else 50  # one suppressed municipality
        lines.append(f"big2,{code},2023,{numerator},400")
    import_path(_write(tmp_path, "values.csv", "\n".join(lines) + "\n"))
    ggd = IndicatorValue.objects.get(area_code="GG7206", period_start=2023)
    assert ggd.origin == Origin.COMPUTED
    assert ggd.numerator == 4 + 50 * (len(members) - 1)
    assert ggd.withheld  # total minus the others would give the 4 away
    # Not every municipality of the country has a value: no national total.
    assert not IndicatorValue.objects.filter(area_code="NL01").exists()
    # With a second small municipality (4 + 7 = 11) the region can be shown.
    lines[2] = lines[2].rsplit(",", 2)[0] + ",7,400"
    import_path(_write(tmp_path, "values.csv", "\n".join(lines) + "\n"))
    assert not IndicatorValue.objects.get(area_code="GG7206", period_start=2023).withheld


def test_a_pooled_period_never_gives_away_a_suppressed_year(catalogue, tmp_path, client):
    """2019-2023 pooled minus the four years shown would be the suppressed fifth year: the pooled
    value is withheld (and so is the GGD region's pooled total, which minus the other
    municipalities would give the withheld one back). Two suppressed years that add up to 10 or
    more keep the pooled value; a later import of the years is checked against it too."""
    from kansrijk.places.models import Municipality

    members = set(
        Municipality.objects.filter(ggd_region_id="GG7206").values_list("code", flat=True)
    )

    def lines(small: dict[int, int]) -> str:
        out = ["indicator,area,period,numerator,denominator"]
        for code in sorted(members):
            years = {
                year: (small.get(year, 50) if code == "GM0090" else 50)
                for year in range(2019, 2024)
            }
            for year, numerator in years.items():
                out.append(f"big2,{code},{year},{numerator},400")
            out.append(f"big2,{code},2019-2023,{sum(years.values())},2000")
        return "\n".join(out) + "\n"

    def pooled(area: str) -> dict:
        answer = client.get("/api/v1/indicators/big2/values", {"area": area, "period": "2019-2023"})
        return answer.json()["items"][0]

    import_path(_write(tmp_path, "values.csv", lines({2023: 5})))
    assert client.get(
        "/api/v1/indicators/big2/values", {"area": "GM0090", "period": "2023"}
    ).json()["items"][0]["suppressed"]
    smallingerland = pooled("GM0090")
    assert smallingerland["suppressed"]
    assert smallingerland["numerator"] is None  # 205 - 4 x 50 would be the 5 of 2023
    assert pooled("GG7206")["suppressed"]  # GG7206 minus the others would be Smallingerland's
    assert not pooled("GM0086")["suppressed"]  # Opsterland: nothing suppressed

    import_path(_write(tmp_path, "values.csv", lines({2022: 6, 2023: 5})))
    assert pooled("GM0090")["numerator"] == 161  # tells only 6 + 5 = 11
    # The region's 2022 and 2023 were withheld (each hid one small municipality): its pooled
    # total minus its years shown would be their sum, so it stays withheld (the cautious rule).
    assert pooled("GG7206")["suppressed"]

    # Only the year is imported again, now small: the pooled value already stored is checked.
    import_path(
        _write(
            tmp_path,
            "values.csv",
            "indicator,area,period,numerator,denominator\nbig2,GM0090,2022,50,400\n",
        )
    )
    assert pooled("GM0090")["suppressed"]


def test_the_command_reports_and_exits_non_zero(catalogue, tmp_path):
    bad = _write(tmp_path, "values.csv", "indicator,area,period\nbig2,GM0090,20x3\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_indicators", str(bad), stderr=err, stdout=StringIO())
    assert "values.csv, row 2, period:" in err.getvalue()
    assert not IndicatorValue.objects.exists()


def test_the_command_shows_progress_on_large_files(catalogue, tmp_path):
    from kansrijk.places.models import Municipality

    codes = list(Municipality.objects.values_list("code", flat=True))
    lines = ["indicator,area,period,numerator,denominator"]
    for year in range(2010, 2030):
        lines += [f"big2,{code},{year},20,400" for code in codes]
    path = _write(tmp_path, "values.csv", "\n".join(lines) + "\n")
    out, err = StringIO(), StringIO()
    call_command("import_indicators", str(path), "--progress", stdout=out, stderr=err)
    assert "6840 value(s): 6840 created" in out.getvalue()
    assert "100%" in err.getvalue()
    assert "[###" in err.getvalue()
    # 20 years x (25 GGD + 42 youth care + 12 provinces + the Netherlands) computed totals.
    assert IndicatorValue.objects.filter(origin=Origin.COMPUTED).count() == 20 * 80


def test_the_demo_loads_again_beside_real_figures_and_keeps_them(catalogue):
    """`kansrijk demo` is safe to run again after an analyst imported real figures: they stay,
    and the demo makes up no value in their place."""
    from kansrijk.monitoring import demo

    import_uploads(
        values=(
            "values.csv",
            b"indicator,area,period,numerator,denominator\nbig2,GM0090,2023,80,400\n",
        )
    )
    demo.load_values()  # as `kansrijk demo` run again does: its own values made anew
    row = IndicatorValue.objects.get(
        indicator__code="big2", area_code="GM0090", period_start=2023, period_end=2023
    )
    assert (row.numerator, row.is_demo) == (80, False)
    assert IndicatorValue.objects.filter(
        indicator__code="big2", area_code="GM0088", is_demo=True
    ).count() == len(demo.YEARS)
