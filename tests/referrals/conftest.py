import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from directory.services import provider_editor_add
from referrals.enums import ActorKind
from referrals.permissions import NAVIGATORS, REFERRERS
from referrals.services import Actor
from tests.factories import ActivityFactory


@pytest.fixture
def activity_a(provider_a):
    return ActivityFactory(parent=provider_a, title="Walk and Talk")


@pytest.fixture
def activity_b(provider_b):
    return ActivityFactory(parent=provider_b, title="Bold Street Art Group")


@pytest.fixture
def editor_b(provider_b):
    user, _ = provider_editor_add(provider=provider_b, username="bob", email="b@example.org")
    return user


@pytest.fixture
def navigator(db):
    user = get_user_model().objects.create_user("nina", "nina@example.org", "pw-not-used")
    user.groups.add(Group.objects.get(name=NAVIGATORS))
    return user


@pytest.fixture
def referrer(db):
    user = get_user_model().objects.create_user("rita", "rita@example.org", "pw-not-used")
    user.groups.add(Group.objects.get(name=REFERRERS))
    return user


@pytest.fixture
def as_provider_a(editor_a):
    return Actor(ActorKind.PROVIDER, editor_a)


@pytest.fixture
def as_navigator(navigator):
    return Actor(ActorKind.NAVIGATOR, navigator)
