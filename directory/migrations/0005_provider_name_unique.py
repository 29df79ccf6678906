"""Provider names are unique, ignoring case and spaces (directory.names.provider_name_key).

Existing duplicates are renamed first: the oldest keeps the name, later ones get " (2)",
" (3)"... (title and draft title), so every organisation can still be told apart.
"""

from django.db import migrations, models

from directory.names import provider_name_key


def fill_and_deduplicate(apps, schema_editor):
    ProviderPage = apps.get_model("directory", "ProviderPage")
    Page = apps.get_model("wagtailcore", "Page")
    taken = set()
    for provider in ProviderPage.objects.order_by("pk"):
        title = provider.title
        key = provider_name_key(title)
        counter = 2
        while key in taken:
            title = f"{provider.title[:245]} ({counter})"
            key = provider_name_key(title)
            counter += 1
        taken.add(key)
        if title != provider.title:
            Page.objects.filter(pk=provider.pk).update(title=title, draft_title=title)
        ProviderPage.objects.filter(pk=provider.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_provider_collection_by_id")]

    operations = [
        migrations.AddField(
            model_name="providerpage",
            name="name_key",
            field=models.CharField(editable=False, max_length=255, null=True),
        ),
        migrations.RunPython(fill_and_deduplicate, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="providerpage",
            name="name_key",
            field=models.CharField(
                editable=False,
                error_messages={"unique": "Another organisation already uses this name."},
                max_length=255,
                unique=True,
            ),
        ),
    ]
