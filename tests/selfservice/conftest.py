import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_counts():
    """The lookup guard and "one links email per address" count in the cache: each test
    starts from none."""
    cache.clear()
