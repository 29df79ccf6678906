import datetime as dt

import pytest
from django.core.cache import cache
from wagtail.models import Page

from directory.models import HomePage, ProviderIndexPage
from tests.factories import ProviderFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    # Feed validators, rate limits and the like live in the cache. A rolled-back test can leave
    # the database as an earlier test had it, so every test starts (and ends) with an empty one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home(db) -> HomePage:
    return HomePage.objects.get()


@pytest.fixture
def provider_index(db) -> ProviderIndexPage:
    return ProviderIndexPage.objects.get()


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()


@pytest.fixture
def root_page(db) -> Page:
    return Page.get_first_root_node()


# Two organisations, for tests of what one provider's editors may and may not touch.
@pytest.fixture
def provider_a(db):
    return ProviderFactory(title="Mersey Minds")


@pytest.fixture
def provider_b(db):
    return ProviderFactory(title="Bold Street Wellbeing")
