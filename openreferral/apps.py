from django.apps import AppConfig


class OpenReferralConfig(AppConfig):
    name = "openreferral"
    verbose_name = "Open Referral UK"
    default_auto_field = "django.db.models.BigAutoField"
