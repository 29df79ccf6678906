import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import Page

from directory.models import HomePage, ProviderIndexPage
from directory.permissions import CITY_ADMINS
from directory.services import provider_editor_add
from tests.factories import ProviderFactory
from tests.support import dates


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
    """The site's today (Europe/London), for tests that go through HTTP; see tests.support.dates.
    Tests of code that takes ``today=`` pass a fixed date instead."""
    return dates.today()


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


def _editor(provider, username: str):
    user, _ = provider_editor_add(
        provider=provider, username=username, email=f"{username[0]}@example.org"
    )
    return user


@pytest.fixture
def editor_a(provider_a):
    """Alice, an editor of provider A (in its editors group only)."""
    return _editor(provider_a, "alice")


@pytest.fixture
def editor_b(provider_b):
    """Bruno, an editor of provider B (in its editors group only)."""
    return _editor(provider_b, "bruno")


@pytest.fixture
def city_admin(db):
    """Carol, in the City admins group (rights over the whole directory), not a superuser."""
    user = get_user_model().objects.create_user("carol", "carol@example.org", "pw-not-used")
    user.groups.add(Group.objects.get(name=CITY_ADMINS))
    return user
