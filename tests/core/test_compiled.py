"""kansrijk.core.compiled: querysets compiled once give what the ORM gives, with the same
instances, related rows and deferred fields; a name that misses part of a queryset's shape is
caught (the suite runs with KANSRIJK_COMPILED_CHECK); without the check, parameters that are
not the SQL's own send the call through the ORM and nothing is kept."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings
from pytest_django import DjangoAssertNumQueries

from kansrijk.core import compiled
from kansrijk.core.freshness import forget_all
from kansrijk.referrals.models import Referral, StatusEvent
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import ReferralWorld, build_world, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(places: None) -> ReferralWorld:
    return build_world()


def _sent(world: ReferralWorld) -> Referral:
    return make_referral(world, status=Status.ACCEPTED)


def _detail(params: list[object]) -> object:
    return (
        Referral.objects.filter(pk=params[0])
        .select_related("service", "sender_organisation", "sender_user")
        .only("reference", "status", "service__name", "sender_organisation__name", "sender_user")
    )


def _state(referral: Referral) -> tuple[object, ...]:
    """What a page reads of the referral: its values, deferred fields and related rows."""
    return (
        referral.pk,
        referral.reference,
        referral.status,
        sorted(referral.get_deferred_fields()),
        referral.service.pk,
        referral.service.name,
        sorted(referral.service.get_deferred_fields()),
        referral.sender_organisation.name,
        referral.sender_user.username,
        referral._state.db,
        referral._state.adding,
    )


def test_objects_are_what_the_orm_gives(
    world: ReferralWorld, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    forget_all()
    first, second = _sent(world), _sent(world)
    for referral in (first, second):
        params = [compiled.db_value(Referral._meta.pk, referral.pk)]
        orm = list(_detail(params))  # type: ignore[call-overload]
        # Once compiled (the first referral), the SQL runs as it is: one query, the related
        # rows on the instance (select_related), nothing read again.
        with django_assert_num_queries(1):
            found = compiled.objects("test.detail", _detail, params)  # type: ignore[arg-type]
            state = [_state(obj) for obj in found]
        assert state == [_state(obj) for obj in orm]
        assert found == orm


def test_prefetched_related_rows_read_no_query_and_point_back(
    world: ReferralWorld, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    referral = _sent(world)
    params = [compiled.db_value(Referral._meta.pk, referral.pk)]
    events = compiled.objects(
        "test.events",
        lambda p: StatusEvent.objects.filter(referral_id=p[0]).order_by("at", "id"),
        params,
    )
    assert events == list(referral.status_events.order_by("at", "id"))
    fresh = Referral.objects.get(pk=referral.pk)
    compiled.prefetched(fresh, "status_events", events)
    compiled.prefetched(fresh, "situations", [])
    with django_assert_num_queries(0):
        assert list(fresh.status_events.all()) == events
        assert all(event.referral is fresh for event in fresh.status_events.all())
        assert list(fresh.situations.all()) == []
    # What prefetch_related keeps is what prefetched keeps.
    orm = Referral.objects.prefetch_related("status_events").get(pk=referral.pk)
    assert list(orm.status_events.all()) == list(fresh.status_events.all())
    # Filtering the relation still asks the database, for this referral's rows only.
    other = _sent(world)
    assert set(fresh.status_events.filter(to_status=Status.ACCEPTED)) == {
        e for e in events if e.to_status == Status.ACCEPTED
    }
    assert other.pk not in {e.referral_id for e in fresh.status_events.filter()}


def test_a_name_that_misses_part_of_the_shape_is_caught(world: ReferralWorld) -> None:
    forget_all()
    referral = _sent(world)
    params = [compiled.db_value(Referral._meta.pk, referral.pk)]
    compiled.objects("test.shape", lambda p: Referral.objects.filter(pk=p[0]), params)
    # The same name and number of parameters, another SQL text: the name should have said so.
    with pytest.raises(compiled.ShapeMismatch):
        compiled.objects("test.shape", lambda p: Referral.objects.filter(client_ref=p[0]), params)
    # Parameters in another order (or form) than the SQL takes them.
    with pytest.raises(compiled.ShapeMismatch):
        compiled.rows(
            "test.order",
            lambda p: Referral.objects.filter(pk=p[1], status=p[0]).values_list("reference"),
            [Status.ACCEPTED, params[0]],
        )


def test_without_the_check_a_queryset_it_cannot_run_goes_through_the_orm(
    world: ReferralWorld, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    forget_all()
    referral = _sent(world)
    # A UUID as Python gives it: on SQLite the SQL takes its text, so the parameters differ.
    params: list[object] = [referral.pk]
    expected = compiled.db_value(Referral._meta.pk, referral.pk) == referral.pk
    with override_settings(KANSRIJK_COMPILED_CHECK=False):
        for _ in range(2):
            found = compiled.rows(
                "test.fallback",
                lambda p: Referral.objects.filter(pk=p[0]).values_list("reference"),
                params,
            )
            assert found == [(referral.reference,)]
        # (Inside: a changed setting makes every process cache forget what it keeps.)
        kept = compiled._compiled.get(("test.fallback", "default", 1)) is not None
    assert kept is expected  # kept only where the database takes the UUID itself (PostgreSQL)


def test_a_queryset_without_sql_is_answered_by_the_orm(world: ReferralWorld) -> None:
    """An empty ``IN`` list compiles to no SQL at all (Django answers it without a query):
    nothing is kept, the answer is the ORM's."""
    forget_all()
    found = compiled.rows(
        "test.empty", lambda p: Referral.objects.filter(pk__in=p).values_list("reference"), []
    )
    assert found == []
    assert compiled._compiled.get(("test.empty", "default", 0)) is None
