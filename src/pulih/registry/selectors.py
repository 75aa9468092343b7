"""Every read of the registry that the UI or API shows, already scoped to the asking user.

A record outside the user's scope is indistinguishable from one that does not exist (404).
"""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from pulih.accounts.models import Role, User
from pulih.accounts.selectors import region_in_scope, region_level_q, scope_q
from pulih.privacy import crypto
from pulih.registry.models import (
    Business,
    NikConflict,
    Person,
    Product,
    RegistrationEvent,
    RegistrationStatus,
)

_DIGITS = re.compile(r"\D")
_MASKED_NIK = re.compile(r"^\d{6}\*{6}\d{4}$")


@dataclass(frozen=True)
class BusinessFilters:
    search: str = ""
    status: str = ""
    region: str = ""


def _businesses_visible(user: User) -> QuerySet[Business]:
    qs = Business.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.OWNER:
        return qs.filter(owner__account=user)
    q = scope_q(user)
    return qs if q is None else qs.filter(q)


def business_list(*, user: User, filters: BusinessFilters | None = None) -> QuerySet[Business]:
    """The officer queue and the API list, scoped and filtered.

    The queue of submitted registrations runs oldest first (first come, first served); every
    other list runs newest first. Both are walks of a (status, level, id) or (level, id) index.
    """
    filters = filters or BusinessFilters()
    qs = _businesses_visible(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(region_level_q([filters.region]))
    if filters.search:
        qs = qs.filter(_search_q(filters.search))
    order = "id" if filters.status == RegistrationStatus.SUBMITTED else "-id"
    return qs.select_related("owner", "village", "kbli_section").order_by(order)


def _search_q(term: str) -> Q:
    """Name prefix (owner or business), a full NIK (by blind index) or a masked NIK as shown."""
    term = term.strip()
    digits = _DIGITS.sub("", term)
    # Owner conditions are subqueries on Person rather than joins, so each side of the OR is
    # answered from its own index instead of scanning every business in scope.
    if len(digits) == 16 and len(term.replace(" ", "")) == 16:
        nik = crypto.blind_index(digits, purpose="nik")
        return Q(owner_id__in=Person.objects.filter(nik_hash=nik).values("id"))
    if _MASKED_NIK.match(term):
        return Q(owner_id__in=Person.objects.filter(nik_masked=term).values("id"))
    key, upper = prefix_range(term)
    owners = Person.objects.filter(name_search__gte=key, name_search__lt=upper).values("id")
    return Q(owner_id__in=owners) | Q(name_search__gte=key, name_search__lt=upper)


def prefix_range(term: str) -> tuple[str, str]:
    """[key, successor) covers every string starting with key: a range both databases answer
    from a plain index, where LIKE 'key%' needs special operator classes on PostgreSQL."""
    key = " ".join(term.split()).lower()
    return key, key[:-1] + chr(ord(key[-1]) + 1)


def business_get(*, user: User, pk: int) -> Business:
    business = (
        _businesses_visible(user)
        .select_related(
            "owner",
            "village__parent__parent__parent",
            "kbli_section",
            "ekraf_subsector",
            "decided_by",
        )
        .filter(pk=pk)
        .first()
    )
    if business is None:
        raise Http404
    return business


def business_history(*, business: Business) -> QuerySet[RegistrationEvent]:
    return business.events.select_related("actor").order_by("at", "id")


def business_products(*, business: Business) -> QuerySet[Product]:
    return business.products.prefetch_related("photos").order_by("id")


def _persons_visible(user: User) -> QuerySet[Person]:
    qs = Person.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.OWNER:
        return qs.filter(account=user)
    q = scope_q(user)
    if q is None:
        return qs
    # A person is seen by the officers of where they live and of where their businesses are;
    # an IN subquery (not a correlated EXISTS) keeps both sides of the OR on their indexes.
    return qs.filter(q | Q(id__in=Business.objects.filter(q).values("owner_id")))


def person_list(*, user: User, search: str = "") -> QuerySet[Person]:
    qs = _persons_visible(user)
    if search:
        term = search.strip()
        digits = _DIGITS.sub("", term)
        if len(digits) == 16:
            qs = qs.filter(nik_hash=crypto.blind_index(digits, purpose="nik"))
        elif _MASKED_NIK.match(term):
            qs = qs.filter(nik_masked=term)
        else:
            key, upper = prefix_range(term)
            qs = qs.filter(name_search__gte=key, name_search__lt=upper)
    return qs.select_related("village").order_by("-id")


def person_get(*, user: User, pk: int) -> Person:
    person = _persons_visible(user).select_related("village").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def person_for_owner(*, user: User) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(account=user).select_related("village").first()


def person_in_scope(*, user: User, person: Person) -> bool:
    if region_in_scope(user, person.region_code):
        return True
    return any(
        region_in_scope(user, code)
        for code in person.businesses.values_list("region_code", flat=True)
    )


def nik_conflicts_for(*, user: User, person: Person) -> QuerySet[NikConflict]:
    if user.role == Role.OWNER:
        return NikConflict.objects.none()
    return person.nik_conflicts.select_related("attempted_by").order_by("-at")


def product_get(*, user: User, pk: int) -> Product:
    product = Product.objects.select_related("business__owner").filter(pk=pk).first()
    if product is None:
        raise Http404
    business_get(user=user, pk=product.business_id)
    return product
