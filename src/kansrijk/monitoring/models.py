"""Indicators as data, and their values per area and period.

An ``Indicator`` is a catalogue entry with a stable code, its definition (numerator and
denominator), unit, direction, phase, source and set, and the area levels it applies to. The
public catalogue is seeded from ``data/indicators.csv`` (facts with their source) and extended by
``kansrijk import-indicators``. An ``IndicatorValue`` is one figure for one area (a CBS code:
``GM0090``, ``GG7206``, ``JZ02``, ``PV21`` or ``NL01``) and one period (a year, or a pooled range
such as 2019-2023). Values of the regions are computed from the municipal values where the
indicator allows it (``origin = computed``); those carry ``withheld`` when showing them would give
away a suppressed municipal value (``kansrijk.monitoring.suppression``). The numbers are stored as
they came; they leave the app only through the suppression module.

The loop's own indicators (set ``kansrijk_process``) have no stored values: they are computed from
the referrals (``kansrijk.monitoring.loop``).
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import Phase


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", _("percentage")
    COUNT = "count", _("count")
    RATE_PER_1000 = "rate_per_1000", _("rate per 1,000")
    DAYS = "days", _("days")


class Direction(models.TextChoices):
    LOWER_IS_BETTER = "lower_is_better", _("lower is better")
    HIGHER_IS_BETTER = "higher_is_better", _("higher is better")
    NEUTRAL = "neutral", _("neutral")


#: What an indicator is about: a phase of the first 1000 days (``Phase``: the same codes and
#: names), or the coalition itself.
IndicatorPhase = models.TextChoices(  # type: ignore[call-overload]  # an enum made by a call
    "IndicatorPhase",
    [
        *((phase.name, (phase.value, phase.label)) for phase in Phase),
        ("COALITION", ("coalition", _("Coalition"))),
    ],
)


class Source(models.TextChoices):
    RIVM = "RIVM", "RIVM"
    PERINED = "Perined", "Perined"
    CBS = "CBS", "CBS"
    VEKTIS = "Vektis", "Vektis"
    JGZ = "JGZ", "JGZ"
    KANSRIJK = "Kansrijk", "Kansrijk"
    OTHER = "other", _("other")


class IndicatorSet(models.TextChoices):
    RIVM_LOCAL_BASIC = "rivm_local_basic", _("RIVM local basic set")
    RIVM_LOCAL_OPTIONAL = "rivm_local_optional", _("RIVM local optional set")
    RIVM_NATIONAL = "rivm_national", _("RIVM national monitor")
    KANSRIJK_PROCESS = "kansrijk_process", _("Kansrijk process")
    OWN = "own", _("own")


class AreaLevel(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    GGD_REGION = "ggd_region", _("GGD region")
    YOUTH_CARE_REGION = "youth_care_region", _("youth care region")
    PROVINCE = "province", _("province")
    COUNTRY = "country", _("the Netherlands")


#: The code of the Netherlands as a whole (CBS: ``NL01``).
COUNTRY_CODE = "NL01"
_AREA_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"GM\d{4}"), AreaLevel.MUNICIPALITY),
    (re.compile(r"GG\d{4}"), AreaLevel.GGD_REGION),
    (re.compile(r"JZ\d{2}"), AreaLevel.YOUTH_CARE_REGION),
    (re.compile(r"PV\d{2}"), AreaLevel.PROVINCE),
    (re.compile(r"NL01"), AreaLevel.COUNTRY),
)


def area_level(code: str) -> str | None:
    """The level of a CBS area code, or ``None`` when it is not one."""
    for pattern, level in _AREA_PATTERNS:
        if pattern.fullmatch(code):
            return level
    return None


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def public(self) -> IndicatorQuerySet:
        """Indicators anyone may see (all but the loop's own)."""
        return self.exclude(indicator_set=IndicatorSet.KANSRIJK_PROCESS)

    def loop(self) -> IndicatorQuerySet:
        return self.filter(indicator_set=IndicatorSet.KANSRIJK_PROCESS)


class Indicator(models.Model):
    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Stable code, e.g. late-start-care.")
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    definition = models.TextField(_("definition"), help_text=_("As the source defines it (Dutch)."))
    numerator = models.TextField(_("numerator"), blank=True)
    denominator = models.TextField(_("denominator"), blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=IndicatorPhase.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_reference = models.CharField(
        _("source reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the definition is published, with its year."),
    )
    indicator_set = models.CharField(_("set"), max_length=24, choices=IndicatorSet.choices)
    area_levels = models.JSONField(
        _("applies to"),
        default=list,
        help_text=_("Area levels: municipality, ggd_region, youth_care_region, province, country."),
    )
    about_people = models.BooleanField(
        _("about people"),
        default=True,
        help_text=_(
            "Counts people, so small numbers are suppressed (off for counts of municipalities)."
        ),
    )
    definition_public = models.BooleanField(
        _("definition is public"),
        default=True,
        help_text=_(
            "Off when the exact definition (numerator and denominator) is not public or not in "
            "this catalogue."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the current language (Dutch when there is no English name)."""
        if (get_language() or "nl").startswith("en") and self.name_en:
            return self.name_en
        return self.name_nl

    @property
    def is_loop(self) -> bool:
        return self.indicator_set == IndicatorSet.KANSRIJK_PROCESS

    @property
    def is_additive(self) -> bool:
        """Whether regional values can be computed by adding up municipal numbers."""
        return self.unit != Unit.DAYS


class Origin(models.TextChoices):
    IMPORTED = "imported", _("imported")
    COMPUTED = "computed", _("computed from the municipalities")


class IndicatorValueQuerySet(models.QuerySet["IndicatorValue"]):
    def upsert(self, rows: list[IndicatorValue]) -> None:
        """Store ``rows``: each one new, or overwriting the value of its indicator, area and
        period."""
        self.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["indicator", "area_code", "period_start", "period_end"],
            update_fields=[
                "area_level",
                "numerator",
                "denominator",
                "value",
                "is_demo",
                "source_note",
                "origin",
                "updated_at",
            ],
        )


class IndicatorValue(models.Model):
    id = models.BigAutoField(primary_key=True)
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    area_code = models.CharField(_("area"), max_length=6)
    area_level = models.CharField(_("area level"), max_length=20, choices=AreaLevel.choices)
    period_start = models.PositiveSmallIntegerField(_("first year"))
    period_end = models.PositiveSmallIntegerField(_("last year"))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.IMPORTED
    )
    withheld = models.BooleanField(
        _("withheld"),
        default=False,
        help_text=_("Not shown: it would give away a suppressed value of a municipality."),
    )
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("A generated value, not a real figure.")
    )
    source_note = models.CharField(
        _("source of the figure"), max_length=300, blank=True, help_text=_("With its year.")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "area_code", "period_start", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "period_start", "period_end"],
                name="monitoring_value_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="monitoring_value_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["area_code", "indicator"], name="monitoring_value_area"),
            models.Index(
                fields=["indicator", "period_end", "area_level"], name="monitoring_value_map"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_code} {self.period}"

    @property
    def period(self) -> str:
        return period_label(self.period_start, self.period_end)


def period_label(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}-{end}"


class DemandSignal(models.Model):
    """An anonymous count of signalled situations: when a professional grades a broad
    conversation, the municipality, phase, factor and month are counted — no person, no user,
    no organisation (docs/privacy.md). Only kept when ``KANSRIJK_DEMAND_SIGNAL`` is on."""

    id = models.BigAutoField(primary_key=True)
    municipality_code = models.CharField(_("municipality"), max_length=6)
    phase = models.CharField(_("phase"), max_length=16)
    factor_code = models.CharField(_("factor"), max_length=60)
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    count = models.PositiveIntegerField(_("number"), default=0)
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Made up by the demo, not counted from gradings.")
    )

    class Meta:
        verbose_name = _("demand signal")
        verbose_name_plural = _("demand signals")
        ordering = ["-month", "municipality_code", "factor_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "phase", "factor_code", "month"],
                name="monitoring_demand_unique",
            )
        ]
        indexes = [
            models.Index(fields=["municipality_code", "month"], name="monitoring_demand_area"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.municipality_code} {self.factor_code}: {self.count}"
