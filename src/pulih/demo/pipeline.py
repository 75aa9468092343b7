"""Bulk load of the synthetic demo registry: generate in chunks, derive like the services, write fast.

Each chunk is one transaction. Persons are inserted with ON CONFLICT (nik_hash) DO NOTHING, and
only the persons that chunk really created get businesses, products and history, so running
the same load again creates nothing. Derived columns come from the functions the services use
(search_key, nik_hash, crypto.encrypt, mask_nik, normalize_phone, business_size_class, ...);
tests/test_demo_load.py proves they equal what registry.services would have stored.
"""

from __future__ import annotations

import json
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction

from pulih.accounts.selectors import region_code_q
from pulih.demo.accounts import demo_system_user
from pulih.demo.generator import DemoChunk, demo_chunks
from pulih.privacy import crypto
from pulih.reference.models import Region, RegionLevel
from pulih.registry import services
from pulih.registry.bulk import (
    BUSINESS_COLUMNS,
    EVENT_COLUMNS,
    PRODUCT_COLUMNS,
    WRITERS,
    Writer,
)
from pulih.registry.identifiers import business_size_class, mask_nik, mask_phone, normalize_phone

DECIDED_STATUSES = ("verified", "needs_fix", "rejected")
# Below this many people a worker process costs more than it saves.
PARALLEL_MIN_PEOPLE = 100_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoLoadResult:
    people: int
    villages: int
    persons_created: int
    persons_existing: int
    businesses_created: int
    products_created: int
    events_created: int
    seconds: float


class DemoLoadError(ValueError):
    pass


def village_codes_under(regions: Sequence[str]) -> list[str]:
    """Every village (level 4) at or below the given region codes, in code order."""
    codes = [c.strip() for c in regions if c.strip()]
    if not codes:
        raise DemoLoadError("Sebutkan minimal satu kode wilayah.")
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DemoLoadError(f"Kode wilayah tidak dikenal: {', '.join(unknown)}")
    villages = list(
        Region.objects.filter(region_code_q(codes, field="code"), level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not villages:
        raise DemoLoadError(f"Tidak ada kelurahan/desa di wilayah {', '.join(codes)}.")
    return villages


def demo_load(
    *,
    people: int,
    regions: Sequence[str],
    seed: int = 2020,
    chunk_size: int = 50_000,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> DemoLoadResult:
    """Write `people` synthetic owners with their businesses, products and history.

    `parallel` (default: for large loads) derives the next chunk in a worker process while
    this one writes; the rows are the same either way.
    """
    if people < 0 or chunk_size < 1:
        raise DemoLoadError("Jumlah orang dan ukuran potongan harus positif.")
    began = time.perf_counter()
    villages = village_codes_under(regions)
    actor_id = demo_system_user().pk
    if connection.vendor not in WRITERS:
        raise DemoLoadError(f"Basis data {connection.vendor} belum didukung untuk data demo.")
    writer = WRITERS[connection.vendor]()
    if parallel is None:
        parallel = people >= PARALLEL_MIN_PEOPLE
    prepared = _prepared_in_worker if parallel else _prepared_here
    totals = dict.fromkeys(("persons", "existing", "businesses", "products", "events"), 0)
    done = 0
    with writer.session():
        for chunk in prepared(
            people=people,
            villages=villages,
            seed=seed,
            chunk_size=chunk_size,
            vendor=writer.vendor,
            actor_id=actor_id,
        ):
            with transaction.atomic():
                counts = _chunk_write(writer, chunk)
            for key, value in counts.items():
                totals[key] += value
            done += chunk.size
            del chunk  # before the next one is built
            if progress is not None:
                progress(done, people)
    return DemoLoadResult(
        people=people,
        villages=len(villages),
        persons_created=totals["persons"],
        persons_existing=totals["existing"],
        businesses_created=totals["businesses"],
        products_created=totals["products"],
        events_created=totals["events"],
        seconds=time.perf_counter() - began,
    )


# --- deriving stored columns ---------------------------------------------------------------------


@dataclass
class PreparedChunk:
    """Rows ready to write but for the ids the database hands out. `business_owner`,
    `product_business` and `event_business` give the position, in this chunk, of the person or
    business each row belongs to."""

    size: int
    persons: list[tuple[Any, ...]]  # PERSON_COLUMNS
    nik_hashes: list[str]
    businesses: list[tuple[Any, ...]]  # BUSINESS_COLUMNS without id and owner_id
    business_owner: np.ndarray
    products: list[tuple[Any, ...]]  # PRODUCT_COLUMNS without business_id
    product_business: np.ndarray
    events: list[tuple[Any, ...]]  # EVENT_COLUMNS without business_id
    event_business: np.ndarray


def _datetimes(values: np.ndarray, vendor: str) -> list[str | None]:
    # Django writes aware datetimes to SQLite as naive UTC text ("2026-06-30 10:00:00"); to
    # PostgreSQL's COPY the offset is given so the session time zone cannot shift them.
    suffix = "+00" if vendor == "postgresql" else ""
    return [
        None if s == "NaT" else f"{s[:10]} {s[11:]}{suffix}"
        for s in np.datetime_as_string(values, unit="s")
    ]


def chunk_prepare(chunk: DemoChunk, *, vendor: str, actor_id: int) -> PreparedChunk:
    """Derive every stored column as registry.services._clean_person_fields and
    _clean_business_fields would, with the same functions."""
    p = chunk.persons
    full_names = [" ".join(n.split()) for n in p["full_name"]]
    niks = p["nik"].tolist()
    nik_hashes = [services.nik_hash(n) for n in niks]
    phones = [normalize_phone(ph) if ph.strip() else "" for ph in p["phone"]]
    person_created = _datetimes(p["created_at"], vendor)
    village = p["village_code"].tolist()
    # The generator builds each NIK from the stated birth date and sex, so neither can
    # disagree (tests check nik_mismatches for every generated person).
    persons = list(
        zip(
            full_names,
            [services.search_key(n) for n in full_names],
            [crypto.encrypt(n, purpose=services.NIK_PURPOSE) for n in niks],
            nik_hashes,
            [mask_nik(n) for n in niks],
            [b.strip() for b in p["birth_place"]],
            p["birth_date"].astype(str).tolist(),
            p["sex"].tolist(),
            [False] * chunk.size,
            [False] * chunk.size,
            [crypto.encrypt(ph, purpose=services.PHONE_PURPOSE) if ph else "" for ph in phones],
            [services.phone_hash(ph) if ph else "" for ph in phones],
            [mask_phone(ph) if ph else "" for ph in phones],
            [e.strip() for e in p["email"]],
            [" ".join(a.split()) for a in p["address"]],
            [r.strip().zfill(3) if r.strip() else "" for r in p["rt"]],
            [r.strip().zfill(3) if r.strip() else "" for r in p["rw"]],
            village,
            village,
            [c.strip() for c in p["postcode"].tolist()],
            _datetimes(p["verified_at"], vendor),
            person_created,
            person_created,
            strict=True,
        )
    )

    b = chunk.businesses
    m = len(b["owner"])
    names = [" ".join(n.split()) for n in b["name"]]
    sales = b["annual_sales"].tolist()
    sizes = [
        str(business_size_class(capital=c, annual_sales=s))
        for c, s in zip(b["capital"], sales, strict=True)
    ]
    channel_json: dict[tuple[str, ...], str] = {}
    channels = []
    for chosen in b["online_channels"]:
        key = tuple(sorted(set(chosen)))
        if key not in channel_json:
            channel_json[key] = json.dumps(list(key))
        channels.append(channel_json[key])
    status = b["status"].tolist()
    decided_by = [actor_id if d else None for d in np.isin(b["status"], DECIDED_STATUSES).tolist()]
    updated = np.fmax(np.fmax(b["created_at"], b["submitted_at"]), b["decided_at"])
    created = _datetimes(b["created_at"], vendor)
    submitted = _datetimes(b["submitted_at"], vendor)
    decided_at = _datetimes(b["decided_at"], vendor)
    business_village = b["village_code"].tolist()
    businesses = list(
        zip(
            names,
            [services.search_key(n) for n in names],
            b["nib"],
            b["kbli_section"].tolist(),
            [c.strip() for c in b["kbli_code"].tolist()],
            [s or None for s in b["ekraf_subsector"]],
            [d.strip() for d in b["description"]],
            b["started_year"],
            b["capital"],
            sales,
            sizes,
            b["employees"].tolist(),
            b["monthly_turnover"],
            channels,
            b["pandemic_impact"].tolist(),
            [n.strip() for n in b["pandemic_impact_note"]],
            [" ".join(a.split()) for a in b["address"]],
            business_village,
            business_village,
            status,
            b["status_reason"],
            submitted,
            decided_at,
            decided_by,
            created,
            _datetimes(updated, vendor),
            strict=True,
        )
    )

    pr = chunk.products
    product_business = pr["business"]
    products = list(
        zip(
            pr["name"],
            pr["description"],
            pr["price"].tolist(),
            pr["unit"],
            [created[i] for i in product_business.tolist()],
            strict=True,
        )
    )

    # History: "created" as a draft, then one status event for what it became.
    events: list[tuple[Any, ...]] = []
    event_business: list[int] = []
    for i in range(m):
        events.append((actor_id, "created", "", "draft", "", "{}", created[i]))
        event_business.append(i)
        s = status[i]
        if s != "draft":
            at = submitted[i] if s == "submitted" else decided_at[i]
            events.append(
                (
                    actor_id,
                    "status",
                    "draft" if s == "submitted" else "submitted",
                    s,
                    b["status_reason"][i],
                    "{}",
                    at,
                )
            )
            event_business.append(i)

    return PreparedChunk(
        size=chunk.size,
        persons=persons,
        nik_hashes=nik_hashes,
        businesses=businesses,
        business_owner=b["owner"],
        products=products,
        product_business=product_business,
        events=events,
        event_business=np.array(event_business, dtype=np.int64),
    )


def _prepared_here(
    *, people: int, villages: list[str], seed: int, chunk_size: int, vendor: str, actor_id: int
) -> Iterator[PreparedChunk]:
    for chunk in demo_chunks(people=people, villages=villages, seed=seed, chunk_size=chunk_size):
        prepared = chunk_prepare(chunk, vendor=vendor, actor_id=actor_id)
        # Drop references as soon as possible: one chunk in memory at a time, not two.
        del chunk
        yield prepared
        del prepared


def _produce(queue: Any, kwargs: dict[str, Any]) -> None:
    try:
        for prepared in _prepared_here(**kwargs):
            queue.put(prepared)
            del prepared
        queue.put(None)
    except BaseException:  # the parent re-raises it; not every exception pickles, text does
        queue.put(DemoLoadError(traceback.format_exc()))


def _prepared_in_worker(**kwargs: Any) -> Iterator[PreparedChunk]:
    """The same chunks as _prepared_here, derived in a forked process a chunk ahead.

    Fork, not spawn: the child inherits Django's settings (the field keys) and never touches
    the database connection it also inherits.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=1)
    worker = context.Process(target=_produce, args=(queue, kwargs), daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
            del item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()


# --- writing -----------------------------------------------------------------------------------


def _chunk_write(writer: Writer, chunk: PreparedChunk) -> dict[str, int]:
    person_ids = writer.persons_insert(chunk.persons, chunk.nik_hashes)
    # Only the persons this chunk created get businesses: a rerun adds nothing.
    owner_ids = person_ids[chunk.business_owner]
    keep = owner_ids > 0
    kept = np.flatnonzero(keep)
    business_ids = np.zeros(len(keep), dtype=np.int64)
    business_ids[kept] = writer.ids_allocate("registry_business", len(kept))
    businesses = [
        (bid, oid, *chunk.businesses[i])
        for i, bid, oid in zip(
            kept.tolist(), business_ids[kept].tolist(), owner_ids[kept].tolist(), strict=True
        )
    ]
    writer.insert("registry_business", BUSINESS_COLUMNS, businesses)

    product_ids = business_ids[chunk.product_business]
    products = [
        (bid, *row) for bid, row in zip(product_ids.tolist(), chunk.products, strict=True) if bid
    ]
    writer.insert("registry_product", PRODUCT_COLUMNS, products)

    event_ids = business_ids[chunk.event_business]
    events = [(bid, *row) for bid, row in zip(event_ids.tolist(), chunk.events, strict=True) if bid]
    writer.insert("registry_registrationevent", EVENT_COLUMNS, events)
    created = int((person_ids > 0).sum())
    return {
        "persons": created,
        "existing": chunk.size - created,
        "businesses": len(businesses),
        "products": len(products),
        "events": len(events),
    }
