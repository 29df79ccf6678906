"""The search box's everyday synonyms: data a city admin extends in the admin, not code."""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel


class SearchSynonym(models.Model):
    """When someone searches for `term`, also find `means` ("low" -> depression, low mood)."""

    term = models.CharField(
        "When someone searches for",
        max_length=60,
        unique=True,
        help_text="A word or short phrase people type, e.g. “low” or “can't sleep”.",
    )
    means = models.TextField(
        "Also find",
        help_text="Words or phrases that mean the same, separated by commas, "
        "e.g. “depression, depressed, low mood”. One way: add a row for each word that "
        "should find the others.",
    )

    panels = [FieldPanel("term"), FieldPanel("means")]

    class Meta:
        ordering = ["term"]
        verbose_name = "search synonym"

    def __str__(self) -> str:
        return f"{self.term} → {self.means}"

    @property
    def means_list(self) -> list[str]:
        return [part.strip() for part in self.means.split(",") if part.strip()]

    def clean(self):
        self.term = " ".join(self.term.split()).lower()
        if not self.means_list:
            raise ValidationError({"means": "Give at least one word or phrase to also find."})
