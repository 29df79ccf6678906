"""Create the home page and the organisations index, replacing Wagtail's welcome page."""

from django.db import migrations


def create_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("directory.HomePage")
    ProviderIndexPage = apps.get_model("directory.ProviderIndexPage")

    locale, _ = Locale.objects.get_or_create(language_code="en")
    Page.objects.filter(depth=2, slug="home").delete()
    root = Page.objects.get(depth=1)

    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="directory")
    home = HomePage.objects.create(
        title="Find something to go to",
        draft_title="Find something to go to",
        slug="home",
        content_type=home_type,
        path=root.path + "0001",
        depth=2,
        numchild=1,
        url_path="/home/",
        locale_id=locale.pk,
    )
    index_type, _ = ContentType.objects.get_or_create(
        model="providerindexpage", app_label="directory"
    )
    ProviderIndexPage.objects.create(
        title="Organisations",
        draft_title="Organisations",
        slug="providers",
        content_type=index_type,
        path=home.path + "0001",
        depth=3,
        numchild=0,
        url_path="/home/providers/",
        locale_id=locale.pk,
        intro="The organisations that run courses, groups and drop-ins in the directory.",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page_id=home.pk, is_default_site=True,
                        site_name="No Wrong Door")


def remove_tree(apps, schema_editor):
    apps.get_model("directory.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_tree, remove_tree)]
