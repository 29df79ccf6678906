"""Create the "City admins" group, so a fresh database has it without a manual step."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from directory.services import city_admins_group_ensure


def create_city_admins(apps, schema_editor):
    # Django creates model permissions after the last migration (post_migrate), so on a fresh
    # database the ones this group needs do not exist yet: create them now, from the
    # historical models. post_migrate then finds them and does nothing.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(
            app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps
        )
        app_config.models_module = None
    city_admins_group_ensure(apps=apps)


def remove_city_admins(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="City admins").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_site_tree"),
        ("activities", "0002_initial"),
        ("venues", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailcore", "0098_apitoken"),
        # Wagtail's documents migrations give every admin group a document permission;
        # run after them so a fresh database gets exactly the permissions listed in services.
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_city_admins, remove_city_admins)]
