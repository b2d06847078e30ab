"""Signalling data: the grading rules and the preconception guide, both versioned.

Nothing here is about a client. The broad conversation stores nothing: a grade is computed on
the fly from the ticked factors and the published rule set.

A rule set or guide is edited as a *draft* and then *published*; a published version is
immutable (saving or deleting it raises ``PublishedVersionImmutable``), so an assessment can
always name the exact rules that graded it. The current version is the published one with the
latest ``valid_from`` that has started (the highest version number breaks a tie).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.core.choices import VersionStatus
from kansrijk.signalling.exceptions import PublishedVersionImmutable
from kansrijk.signalling.grading import Grade


class _GuardedQuerySet(models.QuerySet[Any]):
    """The bulk paths refuse, before anything is written, to touch a published version:
    ``delete()`` and ``update()`` when a selected row belongs to one, ``bulk_create()`` when a
    new row would. (The ``pre_delete`` guard below would refuse deletes too, but inside Django's
    deletion transaction, which spoils an outer transaction.)"""

    status_path = "status"

    def _refuse_published(self) -> None:
        if self.filter(**{self.status_path: VersionStatus.PUBLISHED}).exists():
            raise PublishedVersionImmutable()

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_published()
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        self._refuse_published()
        return super().update(**kwargs)

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        checked: set[tuple[type[models.Model], Any]] = set()
        for obj in objs:
            version = obj._version()
            key = (type(version), version.pk)
            if key not in checked:
                checked.add(key)
                version._check_mutable()
        return super().bulk_create(objs, *args, **kwargs)


class RuleSetPartQuerySet(_GuardedQuerySet):
    status_path = "rule_set__status"


class NodeQuerySet(_GuardedQuerySet):
    status_path = "tree__status"


class AnswerQuerySet(_GuardedQuerySet):
    status_path = "node__tree__status"


class VersionedQuerySet(_GuardedQuerySet):
    def published(self) -> VersionedQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def current(self, today: datetime.date | None = None) -> VersionedQuerySet:
        """Published versions that have started, the current one first."""
        today = today or timezone.localdate()
        return self.published().filter(valid_from__lte=today).order_by("-valid_from", "-version")


def _stored_status(model: type[models.Model], pk: Any) -> str | None:
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).values_list("status", flat=True).first()


class _FrozenWhenPublished(models.Model):
    """A row of a version (``_version()``): it cannot be saved or deleted once the version is
    published (as the database has it)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._check_mutable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._check_mutable()
        return super().delete(*args, **kwargs)

    def _version(self) -> _Versioned:
        raise NotImplementedError

    def _check_mutable(self) -> None:
        version = self._version()
        if _stored_status(type(version), version.pk) == VersionStatus.PUBLISHED:
            raise PublishedVersionImmutable()


class _Versioned(_FrozenWhenPublished):
    """Shared fields of a version; the version itself is frozen once published."""

    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    description = models.TextField(_("description"), blank=True)
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_('A list of {"title": ..., "url": ...} the rules are based on.'),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def _version(self) -> _Versioned:
        return self


class _PartOfVersion(_FrozenWhenPublished):
    """A row that belongs to a version (a weight, a node): frozen once the version is
    published."""

    class Meta:
        abstract = True


# --- Grading rules -------------------------------------------------------------------------------


class GradingRuleSet(_Versioned):
    """A version of the rules that turn ticked factors into one of the four grades."""

    default_risk_weight = models.PositiveSmallIntegerField(
        _("default risk weight"),
        default=1,
        help_text=_("The weight of a risk factor that has no weight of its own in this rule set."),
    )
    default_protective_weight = models.PositiveSmallIntegerField(
        _("default protective weight"),
        default=1,
        help_text=_(
            "The weight of a protective factor that has no weight of its own in this rule set."
        ),
    )
    any_risk_minimum = models.CharField(
        _("minimum grade with any risk"),
        max_length=24,
        choices=Grade.choices,
        default=Grade.POTENTIEEL_KWETSBAAR,
        help_text=_("Protective factors can balance risks, not make them disappear."),
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grading rule set")
        verbose_name_plural = _("grading rule sets")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="signalling_ruleset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{_('Grading rules')} v{self.version} ({self.get_status_display()})"


class _PartOfRuleSet(_PartOfVersion):
    """A row of a grading rule set (its ``rule_set``)."""

    rule_set: models.ForeignKey[GradingRuleSet, GradingRuleSet]

    objects = RuleSetPartQuerySet.as_manager()

    class Meta:
        abstract = True

    def _version(self) -> _Versioned:
        return self.rule_set


class FactorWeight(_PartOfRuleSet):
    """The weight of one factor (by catalogue code), and optionally the minimum grade it sets."""

    rule_set = models.ForeignKey(
        GradingRuleSet, models.CASCADE, related_name="factor_weights", verbose_name=_("rule set")
    )
    factor_code = models.SlugField(
        _("factor code"), max_length=60, help_text=_("The code of the situation in the catalogue.")
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    floor = models.CharField(
        _("minimum grade"),
        max_length=24,
        choices=Grade.choices,
        blank=True,
        help_text=_("When this factor is ticked the grade is at least this, whatever else is."),
    )
    note = models.TextField(_("reason"), blank=True, help_text=_("Why this weight or minimum."))

    class Meta:
        verbose_name = _("factor weight")
        verbose_name_plural = _("factor weights")
        ordering = ["factor_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "factor_code"], name="signalling_factor_weight_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.factor_code}: {self.weight}"


class GradeThreshold(_PartOfRuleSet):
    """From this balance of risk over protective weight on, at least this grade."""

    rule_set = models.ForeignKey(
        GradingRuleSet, models.CASCADE, related_name="thresholds", verbose_name=_("rule set")
    )
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices)
    min_balance = models.SmallIntegerField(_("from balance"))

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["min_balance"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "grade"], name="signalling_threshold_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.min_balance} → {self.get_grade_display()}"


class ReinforcementRule(_PartOfRuleSet):
    """Risks in several life domains reinforce each other: at least ``grade`` when risks are
    ticked in ``min_domains`` domains or more and the balance is ``min_balance`` or more."""

    rule_set = models.ForeignKey(
        GradingRuleSet, models.CASCADE, related_name="reinforcements", verbose_name=_("rule set")
    )
    min_domains = models.PositiveSmallIntegerField(_("from number of life domains"))
    min_balance = models.SmallIntegerField(_("from balance"))
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices)
    note = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("reinforcement rule")
        verbose_name_plural = _("reinforcement rules")
        ordering = ["min_domains", "min_balance"]

    def __str__(self) -> str:
        return f"{self.min_domains}+ → {self.get_grade_display()}"


# --- Preconception guide (Wegwijzer) -------------------------------------------------------------


class DecisionTree(_Versioned):
    """A version of a decision tree such as the Wegwijzer preconceptie."""

    slug = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=200)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision tree")
        verbose_name_plural = _("decision trees")
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="signalling_tree_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_status_display()})"


class NodeKind(models.TextChoices):
    QUESTION = "question", _("Question")
    OUTCOME = "outcome", _("Outcome")


class DecisionNode(_PartOfVersion):
    """A question (with answers) or an outcome (advice, national links, local services)."""

    tree = models.ForeignKey(
        DecisionTree, models.CASCADE, related_name="nodes", verbose_name=_("decision tree")
    )
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=NodeKind.choices)
    is_root = models.BooleanField(_("first question"), default=False)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    actions = models.JSONField(
        _("what to do"), default=list, blank=True, help_text=_("A list of short steps.")
    )
    links = models.JSONField(
        _("links"),
        default=list,
        blank=True,
        help_text=_('National information: a list of {"title": ..., "url": ...}.'),
    )
    service_searches = models.JSONField(
        _("local services"),
        default=list,
        blank=True,
        help_text=_(
            'How to find local services in the social map, tried in order: a list of {"category": '
            '..., "text": ..., "name": ...}.'
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = NodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision node")
        verbose_name_plural = _("decision nodes")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tree", "code"], name="signalling_node_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def _version(self) -> _Versioned:
        return self.tree


class DecisionAnswer(_PartOfVersion):
    """An answer to a question, leading to the next node."""

    node = models.ForeignKey(
        DecisionNode, models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("answer"), max_length=200)
    hint = models.CharField(_("hint"), max_length=300, blank=True)
    target = models.ForeignKey(
        DecisionNode, models.CASCADE, related_name="incoming", verbose_name=_("leads to")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["node", "code"], name="signalling_answer_unique")
        ]

    def __str__(self) -> str:
        return self.label

    def _version(self) -> _Versioned:
        return self.node.tree


def _refuse_deleting_published(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """Also for queryset deletes and cascades: nothing of a published version goes away."""
    instance._check_mutable()


for _model in (
    GradingRuleSet,
    FactorWeight,
    GradeThreshold,
    ReinforcementRule,
    DecisionTree,
    DecisionNode,
    DecisionAnswer,
):
    pre_delete.connect(
        _refuse_deleting_published, sender=_model, dispatch_uid=f"immutable-{_model.__name__}"
    )
