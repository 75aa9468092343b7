"""Paging for large scoped lists: counts stop at a cap, so a page never scans a province.

Counting every row of a province's 440,000 businesses costs more than fetching the page
itself. Like most large systems (a search engine's "about 10,000 results"), Pulih counts
exactly up to COUNT_CAP and says "more than" beyond it; filters narrow a list, paging through
10,000 rows does not.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(qs: QuerySet, *, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): SELECT COUNT(*) over at most cap + 1 rows of the ordered index walk."""
    cap = COUNT_CAP if cap is None else cap
    # Joins added for display and the ordering do not change the count; without them the
    # database answers from the narrowest index (PostgreSQL otherwise walked the primary key).
    n = qs.select_related(None).order_by().values("pk")[: cap + 1].count()
    return (cap, False) if n > cap else (n, True)


class CappedPaginator(Paginator):
    """A Paginator whose count stops at COUNT_CAP; `count_exact` tells whether it did."""

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        object_list = self.object_list
        if not isinstance(object_list, QuerySet):
            return len(object_list), True
        return capped_count(object_list)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self._capped[0]

    @property
    def count_exact(self) -> bool:
        return self._capped[1]
