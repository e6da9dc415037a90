"""Values kept in a shared cache: loaded once, loaded afresh once forgotten, and a value loaded
while a change was being made is never read back."""

import pytest
from django.core.cache import cache

from common import shared_cache
from common.shared_cache import forget, kept

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_shared")]


class Source:
    def __init__(self, value):
        self.value, self.loads = value, 0

    def load(self):
        self.loads += 1
        return self.value


def test_a_value_is_loaded_once_then_read_from_the_cache():
    source = Source("a")
    assert kept("k", source.load, 60) == "a"
    assert kept("k", source.load, 60) == "a"
    assert source.loads == 1


def test_a_forgotten_value_is_loaded_afresh():
    source = Source("a")
    kept("k", source.load, 60)
    source.value = "b"
    forget("k")
    assert kept("k", source.load, 60) == "b"
    assert source.loads == 2


def test_a_value_loaded_during_a_change_is_never_read_back():
    """The change is made (and forgets the key) after the value was loaded but before it was
    stored: what was stored is stale, and the next read loads afresh."""
    source = Source("old")

    def load_then_change():
        value = source.load()
        source.value = "new"
        forget("k")  # the change commits while the old value is on its way to the cache
        return value

    assert kept("k", load_then_change, 60) == "old"
    assert kept("k", source.load, 60) == "new"


def test_with_a_process_local_cache_every_read_loads(monkeypatch):
    monkeypatch.setattr(shared_cache, "cache_is_shared", lambda: False)
    source = Source("a")
    kept("k", source.load, 60)
    kept("k", source.load, 60)
    assert source.loads == 2
    assert cache.get("k") is None


def test_a_kept_value_no_longer_usable_is_loaded_again_and_kept():
    source = Source(("generation-1", "a"))
    assert kept("k", source.load, 60) == ("generation-1", "a")
    source.value = ("generation-2", "b")
    current = lambda entry: entry[0] == "generation-2"  # noqa: E731
    assert kept("k", source.load, 60, usable=current) == ("generation-2", "b")
    assert kept("k", source.load, 60, usable=current) == ("generation-2", "b")
    assert source.loads == 2
