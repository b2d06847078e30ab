"""Public information for (future) parents, as data.

- ``Page``: one plain-language page (the prenatal home visit, kraamzorg, money worries …),
  with a stable ``slug`` that is its address in every language. National content editors
  write it; ``PageTranslation`` holds its text per language, each marked *draft* or *checked
  by a native speaker*.
- ``LocalAddition``: what a coalition adds to a page for one municipality (the local mamacafé,
  the social district team), written by that coalition's editors.
- ``CostItem`` / ``CostItemText`` / ``CostFigure``: the overview of what a pregnancy costs; each
  amount is a figure for one year with its official source and date. A year without a figure
  says so on the page; nothing is guessed.

Who may edit what is decided in the querysets (``editable_by``), as elsewhere.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.core.fields import acting_user
from kansrijk.core.users import signed_in
from kansrijk.parents import languages
from kansrijk.parents.choices import CostKind, CostStage, CostUnit, Section, TranslationStatus

#: Addresses under ``/ouders/<lang>/`` that are tools, not pages: no page may take them.
RESERVED_SLUGS = frozenset(
    {"hulp-in-de-buurt", "netwerkkaart", "kosten", "huisbezoek-aanvragen", "redactie", "sw.js"}
)


def national_editor(user: Any) -> bool:
    """Whether ``user`` edits the national pages, their translations and the costs overview:
    the operator of the installation (a superuser), or a coalition editor of a national
    coalition (``coalitions``: an editor at its lead organisation). An administrator is not:
    administrators stay inside their own organisations and municipalities (``accounts.scope``),
    and the national pages are every municipality's."""
    if not signed_in(user) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    from kansrijk.accounts.roles import Role
    from kansrijk.coalitions.models import Coalition, CoalitionScope

    return (
        Coalition.objects.with_member(user, Role.COALITION_EDITOR)
        .filter(scope=CoalitionScope.NATIONAL)
        .exists()
    )


def local_municipality_codes(user: Any) -> frozenset[str] | None:
    """The municipalities whose local additions ``user`` writes: ``None`` for all (the
    operator); else the municipalities of their coalition-editor roles and, for an
    administrator, the municipalities they administer (``accounts.scope``) — as for the
    social map (``directory.models.ServiceQuerySet.editable_by``)."""
    if not signed_in(user) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    from kansrijk.accounts.models import RoleAssignment
    from kansrijk.accounts.roles import Role
    from kansrijk.accounts.scope import administration_scope

    codes: set[str] = set()
    if user.has_role(Role.COALITION_EDITOR):
        codes |= set(
            RoleAssignment.objects.filter(
                user=user, role=Role.COALITION_EDITOR
            ).municipality_codes()
        )
    if user.has_role(Role.ADMINISTRATOR):
        codes |= administration_scope(user).municipality_codes
    return frozenset(codes)


_M = TypeVar("_M", bound=models.Model)


class NationalQuerySet(models.QuerySet[_M]):
    """What only the national editors change (``national_editor``): the pages and the costs
    overview."""

    def editable_by(self, user: Any) -> Self:
        return self.all() if national_editor(user) else self.none()


class PageQuerySet(NationalQuerySet["Page"]):
    def published(self) -> PageQuerySet:
        return self.filter(is_published=True)


def _checked_is_named(name: str) -> models.CheckConstraint:
    """A text marked checked says who checked it (a native speaker) and when."""
    return models.CheckConstraint(
        condition=Q(status=TranslationStatus.DRAFT)
        | (~Q(checked_by="") & Q(checked_on__isnull=False)),
        name=name,
    )


class Page(models.Model):
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        help_text=_("The page's address in every language, e.g. prenataal-huisbezoek."),
    )
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    topics = models.JSONField(
        _("topics"),
        default=list,
        blank=True,
        help_text=_(
            "Need categories of the social map this page is about (e.g. geldzorgen): "
            "professionals see the page beside services, pathways and signalling results "
            "on these topics."
        ),
    )
    need_category = models.CharField(
        _("help nearby"),
        max_length=100,
        blank=True,
        help_text=_("The need category whose nearby services the page links to (optional)."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("parent page")
        verbose_name_plural = _("parent pages")
        ordering = ["position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=sorted(RESERVED_SLUGS)), name="parents_page_slug_free"
            )
        ]

    def __str__(self) -> str:
        return self.slug


class LastChanged(models.Model):
    """What an editor changes: when, and by whom, it was last changed (``stamp``)."""

    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    updated_by = acting_user(_("changed by"))

    class Meta:
        abstract = True

    def stamp(self, user: Any) -> None:
        """Record that ``user`` changes it now (before saving)."""
        self.updated_at = timezone.now()
        self.updated_by = user


class PageTranslation(LastChanged):
    page = models.ForeignKey(
        Page, models.CASCADE, related_name="translations", verbose_name=_("page")
    )
    language = models.CharField(_("language"), max_length=8, choices=languages.CHOICES)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(
        _("summary"), max_length=250, help_text=_("One sentence for the list of pages.")
    )
    body = models.TextField(
        _("text"),
        max_length=8000,
        help_text=_(
            "Paragraphs separated by an empty line. A line starting with “- ” is a list item; "
            "a line starting with “## ” is a heading."
        ),
    )
    status = models.CharField(
        _("translation"),
        max_length=8,
        choices=TranslationStatus.choices,
        default=TranslationStatus.DRAFT,
    )
    checked_by = models.CharField(
        _("checked by"),
        max_length=150,
        blank=True,
        help_text=_("The native speaker who checked it."),
    )
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("page text")
        verbose_name_plural = _("page texts")
        ordering = ["page", "language"]
        constraints = [
            models.UniqueConstraint(fields=["page", "language"], name="parents_translation_unique"),
            _checked_is_named("parents_translation_checked_named"),
        ]

    def __str__(self) -> str:
        return f"{self.page.slug} ({self.language})"

    @property
    def is_draft(self) -> bool:
        return self.status == TranslationStatus.DRAFT


class LocalAdditionQuerySet(models.QuerySet["LocalAddition"]):
    def editable_by(self, user: Any) -> LocalAdditionQuerySet:
        codes = local_municipality_codes(user)
        return self.all() if codes is None else self.filter(municipality_id__in=sorted(codes))


class LocalAddition(LastChanged):
    """A coalition's local addition to a page, for one municipality (shown below the page)."""

    page = models.ForeignKey(
        Page, models.CASCADE, related_name="local_additions", verbose_name=_("page")
    )
    municipality = models.ForeignKey(
        "places.Municipality",
        models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=languages.CHOICES, default=languages.DEFAULT
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=2000)
    url = models.URLField(_("website"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("translation"),
        max_length=8,
        choices=TranslationStatus.choices,
        default=TranslationStatus.CHECKED,
        help_text=_("A Dutch text written by the coalition counts as checked."),
    )
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Example content, not a real local offer.")
    )

    objects = LocalAdditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("local addition")
        verbose_name_plural = _("local additions")
        ordering = ["page", "municipality", "title", "id"]
        indexes = [
            models.Index(fields=["page", "municipality", "language"], name="parents_local_lookup")
        ]

    def __str__(self) -> str:
        return self.title


# --- Costs ------------------------------------------------------------------------------------


class CostItem(models.Model):
    """One thing that costs or brings money around a pregnancy (the deductible, the own
    contribution for kraamzorg, child benefit …)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    stage = models.CharField(_("when"), max_length=12, choices=CostStage.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    unit = models.CharField(
        _("amount is"),
        max_length=8,
        choices=CostUnit.choices,
        blank=True,
        help_text=_("Empty: the item has no amount of its own (it is paid for you)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    authority = models.CharField(
        _("where to check"),
        max_length=150,
        help_text=_("The official body that sets the amount, e.g. SVB or Belastingdienst."),
    )
    authority_url = models.URLField(_("its website"), max_length=500, blank=True)

    objects = NationalQuerySet["CostItem"].as_manager()

    class Meta:
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class CostItemText(models.Model):
    item = models.ForeignKey(
        CostItem, models.CASCADE, related_name="texts", verbose_name=_("cost item")
    )
    language = models.CharField(_("language"), max_length=8, choices=languages.CHOICES)
    title = models.CharField(_("title"), max_length=120)
    explanation = models.TextField(_("explanation"), max_length=1500)
    status = models.CharField(
        _("translation"),
        max_length=8,
        choices=TranslationStatus.choices,
        default=TranslationStatus.DRAFT,
    )
    checked_by = models.CharField(_("checked by"), max_length=150, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("cost item text")
        verbose_name_plural = _("cost item texts")
        ordering = ["item", "language"]
        constraints = [
            models.UniqueConstraint(fields=["item", "language"], name="parents_cost_text_unique"),
            _checked_is_named("parents_cost_text_checked_named"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} ({self.language})"

    @property
    def is_draft(self) -> bool:
        return self.status == TranslationStatus.DRAFT


class CostFigure(LastChanged):
    """The official amount of a cost item for one year, with where it was published."""

    item = models.ForeignKey(
        CostItem, models.CASCADE, related_name="figures", verbose_name=_("cost item")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(_("amount (euro)"), max_digits=9, decimal_places=2)
    source_name = models.CharField(
        _("official source"),
        max_length=250,
        help_text=_("Who published the amount, and where (e.g. SVB, Bedragen kinderbijslag)."),
    )
    source_url = models.URLField(_("source address"), max_length=500)
    source_date = models.DateField(_("published or consulted on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("An example amount in the demo, not an official one.")
    )

    class Meta:
        verbose_name = _("cost figure")
        verbose_name_plural = _("cost figures")
        ordering = ["item", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["item", "year"], name="parents_cost_figure_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="parents_cost_figure_amount"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="parents_cost_figure_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.year}"
