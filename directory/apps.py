from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every change of content starts a new data version for the page cache.
        from . import signals  # noqa: PLC0415 -- after the app registry is ready

        signals.connect()
