"""Benchmark: the officer queue page and GET /api/v1/businesses?region=... on a loaded registry.

Runs the real Django stack in-process (middleware, session auth, selectors, templates, the
database) and reports, per scenario, the median and p95 latency over several rounds and the
number of SQL queries per request for two page sizes (it must not grow with page size).
Side by side, the same lists done the way a Django user would first write them
(`region_code__startswith` + `Paginator` over the ORM, no range scan, no index design),
with the ratio.

    DATABASE_URL=... PULIH_VAR_DIR=... .venv/bin/python bench/registry/run.py [--rounds 5 --requests 40]

The database must already hold the people (`pulih demo --people 1000000 --no-accounts`).
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pulih.config.settings")

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from pulih.accounts.models import Role, User  # noqa: E402
from pulih.accounts.services import user_create  # noqa: E402
from pulih.paging import CappedPaginator  # noqa: E402
from pulih.registry import selectors  # noqa: E402
from pulih.registry.models import Business, Person  # noqa: E402

SCOPES = {
    "province (DKI 31)": "31",
    "province (Jawa Tengah 33)": "33",
    "city (Kota Bandung 32.73)": "32.73",
    "district (32.73.01)": "32.73.01",
}


def bench_user(scope: str) -> User:
    username = f"bench.{scope}"
    user = User.objects.filter(username=username).first()
    return user or user_create(
        username=username,
        password="bench-Sandi-2026",  # noqa: S106 - a local bench login
        role=Role.OFFICER,
        region_codes=[scope],
    )


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def query_count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def naive_page(scope: str, page: int, page_size: int = 25) -> list:
    """What a first Django version looks like: startswith on the village code, newest
    submission first, Paginator (COUNT + OFFSET page)."""
    qs = Business.objects.filter(region_code__startswith=scope).select_related("owner", "village")
    qs = qs.order_by("-submitted_at", "-id")
    return [
        (b.name, b.owner.full_name, b.village.name) for b in Paginator(qs, page_size).page(page)
    ]


def pulih_page(user: User, scope: str, page: int, page_size: int = 25) -> list:
    """The same page through Pulih's selector (scope + region filter, index walk, capped count)."""
    qs = selectors.business_list(user=user, filters=selectors.BusinessFilters(region=scope))
    return [
        (b.name, b.owner.full_name, b.village.name)
        for b in CappedPaginator(qs, page_size).page(page)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="requests per scenario per round")
    args = parser.parse_args()

    people = Person.objects.count()
    print(
        f"database: {connection.vendor}  people: {people:,}  businesses: {Business.objects.count():,}"
    )
    if people < 1000:
        sys.exit("load people first: pulih demo --people 1000000 --no-accounts")

    rows = []
    ratios = []
    for label, scope in SCOPES.items():
        user = bench_user(scope)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        scenarios = {
            "queue page 1": lambda c=client: c.get("/petugas/antrian/?status=submitted"),
            "queue page 20": lambda c=client: c.get("/petugas/antrian/?status=submitted&page=20"),
            "queue search 'sri' (not a target)": lambda c=client: c.get(
                "/petugas/antrian/?status=&q=sri"
            ),
            "api ?region= size 25": lambda c=client, s=scope: c.get(
                f"/api/v1/businesses?region={s}&page_size=25"
            ),
            "api ?region= size 100": lambda c=client, s=scope: c.get(
                f"/api/v1/businesses?region={s}&page_size=100"
            ),
        }
        for name, fn in scenarios.items():
            assert fn().status_code == 200, name
        q_small = query_count(scenarios["api ?region= size 25"])
        q_large = query_count(scenarios["api ?region= size 100"])
        q_queue = query_count(scenarios["queue page 1"])
        for name, fn in scenarios.items():
            medians, p95s = [], []
            for _ in range(args.rounds):
                xs = timed(fn, args.requests)
                medians.append(statistics.median(xs))
                p95s.append(p95(xs))
            rows.append((label, name, statistics.median(medians), statistics.median(p95s)))
        # The naive page takes seconds on big scopes: fewer repetitions, same median logic.
        naive = [
            statistics.median(timed(lambda s=scope: naive_page(s, 20), 3))
            for _ in range(args.rounds)
        ]
        ours = [
            statistics.median(timed(lambda s=scope, u=user: pulih_page(u, s, 20), args.requests))
            for _ in range(args.rounds)
        ]
        ratios.append((label, statistics.median(naive), statistics.median(ours)))
        print(
            f"{label}: queries per request: queue={q_queue}, api size 25={q_small}, api size 100={q_large}"
            f" ({'constant' if q_small == q_large else 'GROWS'})"
        )

    print(f"\n{'scope':28} {'scenario':40} {'median ms':>10} {'p95 ms':>8}")
    for label, name, med, pp in rows:
        print(f"{label:28} {name:40} {med:10.1f} {pp:8.1f}")
    print(
        f"\n{'scope':28} {'naive startswith+Paginator ms':>30} {'Pulih selector ms':>18} {'ratio':>7}"
    )
    for label, naive_ms, ours_ms in ratios:
        print(f"{label:28} {naive_ms:30.1f} {ours_ms:18.1f} {naive_ms / ours_ms:6.1f}x")
    worst = max(r[3] for r in rows if "search" not in r[1])
    print(f"\nworst p95 of queue and API scenarios: {worst:.1f} ms (target < 150 ms)")


if __name__ == "__main__":
    main()
