"""The search box's everyday synonyms, seeded with a curated list city admins can extend."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# (what people type, what it should also find): words a person or a link worker would use.
SEED = [
    ("low", "low mood, depression, depressed, feeling low"),
    ("low mood", "depression, depressed, feeling low"),
    ("feeling low", "low mood, depression, depressed"),
    ("depressed", "depression, low mood, feeling low"),
    ("depression", "depressed, low mood, feeling low"),
    ("sad", "low mood, depression"),
    ("lonely", "isolated, isolation, loneliness, social, befriending, friendship, make friends, meet people"),
    ("isolated", "lonely, loneliness, isolation, social, befriending, meet people"),
    ("loneliness", "lonely, isolated, isolation, social, befriending, meet people"),
    ("friends", "friendship, social, befriending, make friends, meet people"),
    ("social", "social group, meet people, make friends, coffee morning"),
    ("grief", "loss, bereavement, bereaved"),
    ("loss", "grief, bereavement, bereaved"),
    ("bereavement", "grief, loss, bereaved"),
    ("bereaved", "grief, loss, bereavement"),
    ("cant sleep", "sleep, insomnia"),
    ("insomnia", "sleep"),
    ("sleep", "insomnia"),
    ("cookery", "cooking, cook, food"),
    ("cooking", "cookery, food"),
    ("worried", "anxiety, worry"),
    ("worry", "anxiety, worried"),
    ("nervous", "anxiety, anxious"),
    ("panic", "anxiety, panic attacks"),
    ("stressed", "stress, anxiety"),
    ("exercise", "physical activity, fitness, walking, sport"),
    ("fitness", "physical activity, exercise"),
    ("walk", "walking, rambling"),
    ("art", "arts, crafts, creative, painting, drawing"),
    ("crafts", "craft, arts, knitting, sewing"),
    ("knitting", "crafts, knit"),
    ("allotment", "gardening, growing"),
    ("gardening", "growing, allotment"),
    ("music", "singing, choir"),
    ("singing", "choir, music"),
    ("choir", "singing"),
    ("talk", "peer support, support group"),
    ("chat", "peer support, social, coffee"),
    ("young people", "youth, 18-25"),
    ("older people", "older adults, over 50s, over 60s"),
    ("dads", "fathers, men"),
    ("mums", "mothers, women"),
    ("ptsd", "trauma"),
    ("trauma", "ptsd"),
    ("drinking", "alcohol"),
    ("alcohol", "drinking, recovery"),
    ("drugs", "substance, recovery"),
    ("addiction", "recovery, alcohol, substance"),
    ("job", "employment, work, volunteering"),
    ("work", "employment, job"),
    ("money", "debt, benefits"),
    ("debt", "money, benefits"),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("activities", "SearchSynonym")
    SearchSynonym.objects.bulk_create(
        [SearchSynonym(term=term, means=means) for term, means in SEED], ignore_conflicts=True
    )


def city_admins_may_edit(apps, schema_editor):
    """City admins keep the shared vocabulary, so they keep this list too."""
    config = apps.get_app_config("activities")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="City admins").first()
    if group is None:
        return
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=[f"{a}_searchsynonym" for a in ("add", "change", "delete")],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_languages_problem_report"),
        ("directory", "0003_city_admins_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(help_text="A word or short phrase people type, e.g. “low” or “can't sleep”.", max_length=60, unique=True, verbose_name="When someone searches for")),
                ("means", models.TextField(help_text="Words or phrases that mean the same, separated by commas, e.g. “depression, depressed, low mood”. One way: add a row for each word that should find the others.", verbose_name="Also find")),
            ],
            options={"verbose_name": "search synonym", "ordering": ["term"]},
        ),
        migrations.AlterField(
            model_name="activitypage",
            name="meeting_link",
            field=models.URLField(blank=True, help_text="If you send the link only after people get in touch, leave this empty: the page then asks them to contact you for the joining link."),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(city_admins_may_edit, migrations.RunPython.noop),
    ]
