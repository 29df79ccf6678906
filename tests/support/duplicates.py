"""The duplicates tests' shared world: two planted pairs in two wards and a hard negative."""

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from activities.duplicates.store import stored_pairs_refresh_all
from directory.services import CITY_ADMINS, provider_editor_add
from tests.factories import (
    ActivityFactory,
    AudienceFactory,
    CategoryFactory,
    ProviderFactory,
    ScheduleFactory,
    VenueFactory,
)

ANXIETY = "Anxiety and low mood"
KNITTING = "Knitting and crochet"


def last_weekday(today, weekday: int):
    """A date on `weekday` at least a week before today, so weekly slots are current."""
    return today - timedelta(days=(today.weekday() - weekday) % 7 + 7)


def duplicates_world(today):
    """Two planted pairs in two wards, plus a hard negative:

    * clash: PSS's anxiety course and the Life Rooms' one, same venue, Tuesday mornings
      (Belle Vale);
    * duplicate: Roots' Knit and Natter (Thursday) and Imagine's Knitting & Crochet Circle
      (Monday), 0.36 km apart (Old Swan East);
    * not a duplicate: a women's and a men's group at the same venue and time.
    """
    anxiety = CategoryFactory(name=ANXIETY, slug="anxiety")
    knitting = CategoryFactory(name=KNITTING, slug="knitting")
    peer = CategoryFactory(name="Peer support", slug="peer-support")
    women = AudienceFactory(name="women", slug="women", restriction="women")
    men = AudienceFactory(name="men", slug="men", restriction="men")
    mill = VenueFactory(
        name="The Millennium Centre", postcode="L25 2RG", latitude=53.39117, longitude=-2.85887
    )
    lappin = VenueFactory(
        name="Joseph Lappin Centre", postcode="L13 3DL", latitude=53.41456, longitude=-2.91396
    )
    swan = VenueFactory(
        name="Old Swan Library", postcode="L13 5XG", latitude=53.41424, longitude=-2.90854
    )
    providers = {
        key: ProviderFactory(title=title)
        for key, title in [
            ("pss", "Person Shaped Support"),
            ("lr", "Mersey Care Life Rooms"),
            ("rt", "Liverpool Roots Trust"),
            ("im", "Imagine Independence"),
            ("msh", "Mary Seacole House"),
        ]
    }

    def activity(provider, ref, title, venue, weekday, start, end, **fields):
        categories = fields.pop("categories", [])
        audiences = fields.pop("audiences", [])
        page = ActivityFactory(
            parent=providers[provider],
            ref=ref,
            title=title,
            venue=venue,
            categories=categories,
            audiences=audiences,
            **fields,
        )
        ScheduleFactory(
            activity=page,
            first_date=last_weekday(today, weekday),
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
        )
        return page

    course = {"kind": "course", "categories": [anxiety]}
    pages = {
        "PSS-OAD": activity(
            "pss",
            "PSS-OAD",
            "Overcoming Anxiety and Depression",
            mill,
            1,
            "10:00",
            "12:00",
            description="Six weeks on anxiety and low mood: worry, sleep and small steps.",
            **course,
        ),
        "LR-UALM": activity(
            "lr",
            "LR-UALM",
            "Understanding Anxiety and Low Mood",
            mill,
            1,
            "10:30",
            "12:30",
            description="A course about anxiety and depression and practical ways to cope.",
            **course,
        ),
        "RT-KNIT": activity(
            "rt",
            "RT-KNIT",
            "Knit and Natter",
            lappin,
            3,
            "13:00",
            "15:00",
            description="Knitting, crochet and a natter over a cuppa.",
            categories=[knitting],
        ),
        "IM-KNIT": activity(
            "im",
            "IM-KNIT",
            "Knitting & Crochet Circle",
            swan,
            0,
            "13:00",
            "15:00",
            description="Learn to knit or crochet, or bring your own project.",
            categories=[knitting],
        ),
        "MSH-WOMEN": activity(
            "msh",
            "MSH-WOMEN",
            "Wellbeing Group",
            lappin,
            2,
            "10:30",
            "12:30",
            description="A group to share experiences and learn ways to cope with stress.",
            categories=[peer],
            audiences=[women],
        ),
        "RT-MEN": activity(
            "rt",
            "RT-MEN",
            "Wellbeing Group",
            lappin,
            2,
            "10:30",
            "12:30",
            description="A group to share experiences and learn ways to cope with stress.",
            categories=[peer],
            audiences=[men],
        ),
    }
    # What the nightly scan would have stored: the report reads it.
    stored_pairs_refresh_all()
    return {
        "pages": pages,
        "providers": providers,
        "venues": {"mill": mill, "lappin": lappin, "swan": swan},
        "categories": {"anxiety": anxiety, "knitting": knitting},
    }


def editor_client(client, provider, username):
    user, _ = provider_editor_add(provider=provider, username=username, email=f"{username}@x.org")
    client.force_login(user)
    return client, user


def city_admin_make():
    user = get_user_model().objects.create_user("carol", "carol@example.org", "not-a-superuser")
    user.groups.add(Group.objects.get(name=CITY_ADMINS))
    return user


def pairs_of(findings) -> set[frozenset[str]]:
    return {frozenset((f.match.a.ref, f.match.b.ref)) for f in findings}


CLASH_PAIR = frozenset({"PSS-OAD", "LR-UALM"})
KNIT_PAIR = frozenset({"RT-KNIT", "IM-KNIT"})
