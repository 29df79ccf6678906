from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers import the models, which are loaded only once the registry is ready.
        from . import signals  # noqa: PLC0415 -- after the app registry is ready

        signals.connect()
