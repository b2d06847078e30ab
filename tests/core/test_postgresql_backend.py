"""The PostgreSQL backend (kansrijk.core.postgresql) batches bulk writes under the 65,535
parameters a statement may carry when they are bound on the server."""

from __future__ import annotations

import pytest
from django.db import connection

from kansrijk.core.models import DataVersion
from kansrijk.core.postgresql.base import MAX_QUERY_PARAMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_side_binding():
    if connection.vendor != "postgresql" or not connection.features.uses_server_side_binding:
        pytest.skip("PostgreSQL with server-side binding only")


def test_a_bulk_create_over_the_parameter_limit_is_batched(server_side_binding):
    rows = [DataVersion(kind=f"bulk-{n}", version=n) for n in range(MAX_QUERY_PARAMS // 2 + 10)]
    DataVersion.objects.bulk_create(rows, batch_size=len(rows))
    assert DataVersion.objects.filter(kind__startswith="bulk-").count() == len(rows)


def test_the_batch_size_follows_the_parameters_a_row_takes(server_side_binding):
    fields = [DataVersion._meta.get_field("kind"), DataVersion._meta.get_field("version")]
    assert connection.ops.bulk_batch_size(fields, range(100_000)) == MAX_QUERY_PARAMS // 2
    assert connection.ops.bulk_batch_size(fields[:1], range(10)) == MAX_QUERY_PARAMS
    # What bulk_update asks (the key twice, then each field): batched the same way. Running one
    # over the limit takes Django ~15 s to build its CASE expression, so it is not run here.
    assert connection.ops.bulk_batch_size(["pk", "pk", "version"], range(100_000)) == (
        MAX_QUERY_PARAMS // 3
    )
