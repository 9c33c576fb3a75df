from django.db import models

from archive.text import fold


class Region(models.Model):
    """A place in the gazetteer tree: continent > country > province > city, plus areas."""

    class Kind(models.TextChoices):
        CONTINENT = "continent", "Continent"
        COUNTRY = "country", "Country"
        PROVINCE = "province", "Province"
        CITY = "city", "City"
        AREA = "area", "Area"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    geonames_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    country_code = models.CharField(
        max_length=2, blank=True, db_index=True, help_text="ISO 3166-1 alpha-2 of the country."
    )
    population = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        if self.kind in (self.Kind.CITY, self.Kind.PROVINCE, self.Kind.AREA) and self.parent_id:
            return f"{self.name}, {self.parent.name}"
        return self.name


class RegionName(models.Model):
    """One name a region is known by (its own, alternate spellings, codes), folded for look-up."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    folded = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "folded"], name="unique_folded_name_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.folded = fold(self.name)
        super().save(*args, **kwargs)
