"""The shared taxonomy: topics (categories) and audiences. City admins own it."""

from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel


class Category(models.Model):
    """A topic in the shared, editable taxonomy. URLs use the slug: keep it when renaming."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True)
    description = models.CharField(max_length=255, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not self.slug:
            self.slug = slugify(self.name)[:110]


class Audience(models.Model):
    """Who a session is specifically for: women, men, LGBTQ+, 18-25, a language community...

    `restriction` lets duplicate detection know that a women-only group and a men's group are
    for different people.
    """

    class Restriction(models.TextChoices):
        NONE = "", "Open to everyone else too"
        WOMEN = "women", "Women only"
        MEN = "men", "Men only"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True)
    restriction = models.CharField(max_length=10, blank=True, choices=Restriction.choices)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("restriction")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not self.slug:
            self.slug = slugify(self.name)[:110]
