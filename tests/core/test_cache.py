"""The Redis cache backend that keeps one client per connection pool (``kansrijk.core.cache``),
against the real Redis (database 9). Each test has a key prefix of its own and removes only its
own keys: other test processes (xdist workers, other checkouts) use the same Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.cache.backends.base import BaseCache

from kansrijk.core.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture
def redis_cache() -> Iterator[BaseCache]:
    prefix = f"kansrijk-test-{uuid.uuid4().hex}"
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield cache
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_it_is_a_cache(redis_cache: BaseCache) -> None:
    redis_cache.set("card", "<p>kaart</p>", 60)
    redis_cache.set_many({"a": 1, "b": ["x", 2]}, 60)
    assert redis_cache.get("card") == "<p>kaart</p>"
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": ["x", 2]}
    assert redis_cache.incr("a") == 2
    assert redis_cache.add("a", 5) is False
    redis_cache.delete("card")
    assert redis_cache.get("card") is None
    assert redis_cache.get("card", "default") == "default"


def test_one_client_serves_every_call(redis_cache: BaseCache) -> None:
    client = redis_cache._cache  # type: ignore[attr-defined]
    assert client.get_client() is client.get_client()
    assert client.get_client(write=True) is client.get_client()  # one server: one pool
    redis_cache.set("k", "v")
    assert client.get_client().get(redis_cache.make_key("k")) is not None


def test_keys_memcached_would_refuse_work_without_warnings(redis_cache: BaseCache) -> None:
    import warnings

    long_key = "directory:card:" + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django's memcached key warning would fail the test
        redis_cache.set(long_key, "lang", 60)
        redis_cache.set("met spatie", "spatie", 60)
        assert redis_cache.get_many([long_key, "met spatie"]) == {
            long_key: "lang",
            "met spatie": "spatie",
        }
