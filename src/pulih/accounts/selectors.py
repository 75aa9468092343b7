"""Reads about users and the region scope that every other selector filters by."""

from django.db.models import Q

from pulih.accounts.models import SCOPED_ROLES, ApiToken, Role, User
from pulih.reference.models import CODE_LENGTH, RegionLevel


def region_codes_for(user: User) -> list[str] | None:
    """The region codes a user may see; None means the whole country (administrators)."""
    if not user.is_authenticated:
        return []
    if user.role == Role.ADMIN or user.is_superuser:
        return None
    if user.role not in SCOPED_ROLES:
        return []
    cached: list[str] | None = getattr(user, "_pulih_region_codes", None)
    if cached is None:
        cached = sorted(user.region_scopes.values_list("region_id", flat=True))
        user._pulih_region_codes = cached  # type: ignore[attr-defined]
    return cached


def region_code_q(codes: list[str], *, field: str = "region_code") -> Q:
    """Match village codes at or below any of the given region codes.

    Codes are fixed-width with dots, so "32.73" covers exactly the range ["32.73.", "32.73/"):
    a range on one indexed column, which both SQLite and PostgreSQL answer from the index
    (LIKE 'x%' is not index-friendly on either by default).
    """
    q = Q(pk__in=[])
    for code in codes:
        if len(code) == CODE_LENGTH[RegionLevel.VILLAGE]:
            q |= Q(**{field: code})
        else:
            q |= Q(**{f"{field}__gte": code + ".", f"{field}__lt": code + "/"})
    return q


# Column holding the code of each level on tables that carry the level columns (Person, Business).
LEVEL_COLUMN = {2: "province_code", 5: "city_code", 8: "district_code", 13: "region_code"}


def region_level_q(codes: list[str], *, prefix: str = "") -> Q:
    """Match rows at or below any of the codes by equality on that level's column.

    Equality (not a range or LIKE) lets the database walk one (level, id) index in order, so a
    page of a province's million rows costs the same as a page of one village's.
    """
    q = Q(pk__in=[])
    for code in codes:
        column = LEVEL_COLUMN.get(len(code))
        if column is None:
            continue  # not a region code: matches nothing
        q |= Q(**{f"{prefix}{column}": code})
    return q


def scope_q(user: User, *, prefix: str = "") -> Q | None:
    """The filter for records in the user's regions; None means no filter (whole country)."""
    codes = region_codes_for(user)
    if codes is None:
        return None
    return region_level_q(codes, prefix=prefix)


def codes_cover(codes: list[str] | None, region_code: str) -> bool:
    """Whether `region_code` lies at or below one of `codes` (None: the whole country)."""
    if codes is None:
        return True
    return any(region_code == c or region_code.startswith(c + ".") for c in codes)


def region_in_scope(user: User, region_code: str) -> bool:
    return codes_cover(region_codes_for(user), region_code)


def user_for_api_token(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None
