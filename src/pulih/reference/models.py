"""Reference data: Kemendagri regions, KBLI 2020 sections, creative-economy subsectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Provinsi")
    CITY = 2, _("Kabupaten/Kota")
    DISTRICT = 3, _("Kecamatan")
    VILLAGE = 4, _("Kelurahan/Desa")


# Length of a code at each level: 31 / 31.71 / 31.71.01 / 31.71.01.1001
CODE_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 5,
    RegionLevel.DISTRICT: 8,
    RegionLevel.VILLAGE: 13,
}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


class Region(models.Model):
    """One administrative area; the code is the Kemendagri code with dots (PP.KK.CC.DDDD)."""

    code = models.CharField(primary_key=True, max_length=13)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            )
        ]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KbliSection(models.Model):
    """A KBLI 2020 section (A-U), the top of the business classification."""

    code = models.CharField(primary_key=True, max_length=1)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kategori KBLI")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EkrafSubsector(models.Model):
    """One of Kemenparekraf's 17 creative-economy subsectors."""

    slug = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("subsektor ekonomi kreatif")

    def __str__(self) -> str:
        return self.name
