"""Public API for reference data: regions are public, as the Kemendagri decree is."""

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from pulih.reference import selectors

router = Router(tags=["wilayah"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None


def _out(region: object) -> RegionOut:
    return RegionOut(
        code=region.code,  # type: ignore[attr-defined]
        name=region.name,  # type: ignore[attr-defined]
        level=region.level,  # type: ignore[attr-defined]
        parent=region.parent_id,  # type: ignore[attr-defined]
    )


@router.get(
    "/regions", response=list[RegionOut], auth=None, summary="Daftar wilayah di bawah satu kode"
)
def region_list(request: HttpRequest, parent: str | None = None) -> list[RegionOut]:
    """Provinces when `parent` is empty, else the direct children of `parent`."""
    if parent and selectors.region_get(code=parent) is None:
        raise HttpError(404, "Kode wilayah tidak ditemukan.")
    return [_out(r) for r in selectors.region_children(parent_code=parent)]


@router.get("/regions/{code}", response=RegionOut, auth=None, summary="Satu wilayah")
def region_detail(request: HttpRequest, code: str) -> RegionOut:
    region = selectors.region_get(code=code)
    if region is None:
        raise HttpError(404, "Kode wilayah tidak ditemukan.")
    return _out(region)
