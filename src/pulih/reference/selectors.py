"""Reads of reference data; region data is public, as it is in the Kemendagri decree."""

from functools import lru_cache

from django.db.models import QuerySet

from pulih.reference.models import Region, RegionLevel


@lru_cache(maxsize=1)
def district_code_set() -> frozenset[str]:
    """Every kecamatan code ("32.73.01"), cached per process: NIK checks run it for every row."""
    return frozenset(
        Region.objects.filter(level=RegionLevel.DISTRICT).values_list("code", flat=True)
    )


def region_get(*, code: str) -> Region | None:
    return Region.objects.select_related("parent").filter(code=code).first()


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    qs = Region.objects.only("code", "name", "level", "parent_id")
    if parent_code:
        return qs.filter(parent_id=parent_code)
    return qs.filter(level=RegionLevel.PROVINCE)


def region_path(*, code: str) -> list[Region]:
    """The region and its ancestors, province first, in one query."""
    prefixes = [code[:n] for n in (2, 5, 8, 13) if len(code) >= n]
    return list(Region.objects.filter(code__in=prefixes).order_by("level"))


def common_region(low: str, high: str) -> str:
    """The deepest region code both codes lie in. Codes are fixed-width and dotted, so every
    code sorting between the lowest and the highest shares it too."""
    shared: list[str] = []
    for a, b in zip(low.split("."), high.split("."), strict=False):
        if a != b:
            break
        shared.append(a)
    return ".".join(shared)
