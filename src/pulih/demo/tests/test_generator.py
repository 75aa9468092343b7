from collections import Counter
from datetime import date

import numpy as np
import pytest

from pulih.demo.generator import (
    MAX_GENERATED_SERIAL,
    REFERENCE_TIME,
    DemoChunk,
    demo_chunks,
    nik_compose,
)
from pulih.reference.models import Region, RegionLevel
from pulih.registry.identifiers import (
    business_size_class,
    nik_mismatches,
    normalize_phone,
    parse_nik,
)
from pulih.registry.models import OnlineChannel, PandemicImpact, RegistrationStatus, Sex, SizeClass
from pulih.testing.factories import build_nik

SAMPLE_VILLAGES = [
    "31.71.01.1001",
    "31.74.06.1002",
    "32.73.01.1001",
    "32.73.02.1006",
    "33.74.10.1002",
    "33.10.19.2001",
]


def _run(**kwargs: object) -> list[DemoChunk]:
    return list(demo_chunks(**{"villages": SAMPLE_VILLAGES, "seed": 7, **kwargs}))


def _column(chunks: list[DemoChunk], table: str, name: str) -> list:
    values: list = []
    for chunk in chunks:
        column = getattr(chunk, table)[name]
        values.extend(column.tolist() if isinstance(column, np.ndarray) else column)
    return values


def test_same_seed_and_chunk_size_give_identical_rows() -> None:
    first, second = _run(people=3000, chunk_size=1000), _run(people=3000, chunk_size=1000)
    for table in ("persons", "businesses", "products"):
        for name in getattr(first[0], table):
            assert _column(first, table, name) == _column(second, table, name), (table, name)


def test_another_seed_gives_other_people() -> None:
    one = set(_column(_run(people=500), "persons", "nik"))
    other = set(_column(_run(people=500, seed=8), "persons", "nik"))
    assert len(one & other) < 5


@pytest.mark.django_db
def test_every_nik_parses_and_agrees_with_district_birth_date_and_sex() -> None:
    villages = list(
        Region.objects.filter(
            level=RegionLevel.VILLAGE, code__gte="33.", code__lt="33/"
        ).values_list("code", flat=True)
    )
    chunks = list(demo_chunks(people=5000, villages=villages, seed=2020, chunk_size=2000))
    for chunk in chunks:
        p = chunk.persons
        for nik_value, village, birth, sex in zip(
            p["nik"].tolist(),
            p["village_code"].tolist(),
            p["birth_date"].tolist(),
            p["sex"].tolist(),
            strict=True,
        ):
            nik = parse_nik(nik_value)
            assert nik.district_code == village[:8]
            assert nik_mismatches(nik, birth_date=birth, sex=sex) == []
            assert date(1955, 1, 1) <= birth <= date(2004, 12, 31)
            assert 1 <= int(nik.serial) <= MAX_GENERATED_SERIAL


def test_niks_are_unique_across_chunks_even_in_one_crowded_village() -> None:
    # 50,000 people in one kecamatan share about 36,500 birth date and sex codes: serials collide
    # often enough that the redraw is exercised.
    chunks = list(demo_chunks(people=50_000, villages=["32.73.01.1001"], seed=1, chunk_size=12_500))
    niks = _column(chunks, "persons", "nik")
    assert len(niks) == 50_000
    assert len(set(niks)) == 50_000


def test_nik_compose_matches_the_test_factories() -> None:
    born = date(1984, 8, 17)
    assert (
        nik_compose("32.73.01", born, "P", 9999)
        == build_nik("32.73.01", born, "P", 9999)
        == "3273015708849999"
    )


def test_businesses_are_micro_small_or_medium_and_mostly_micro() -> None:
    chunks = _run(people=5000)
    sizes = Counter(
        business_size_class(capital=c, annual_sales=s)
        for c, s in zip(
            _column(chunks, "businesses", "capital"),
            _column(chunks, "businesses", "annual_sales"),
            strict=True,
        )
    )
    assert set(sizes) <= {SizeClass.MIKRO, SizeClass.KECIL, SizeClass.MENENGAH}
    total = sum(sizes.values())
    assert 0.85 < sizes[SizeClass.MIKRO] / total < 0.95
    assert sizes[SizeClass.MENENGAH] > 0
    assert 5000 * 1.05 < total < 5000 * 1.15  # about one in ten has a second business


def test_values_are_ones_the_registry_accepts() -> None:
    chunks = _run(people=3000)
    phones = [p for p in _column(chunks, "persons", "phone") if p]
    assert len(phones) > 2500
    assert all(normalize_phone(p).startswith("+628") for p in phones)
    assert set(_column(chunks, "persons", "sex")) == set(Sex.values)
    channels = {c for row in _column(chunks, "businesses", "online_channels") for c in row}
    assert channels <= set(OnlineChannel.values)
    assert set(_column(chunks, "businesses", "pandemic_impact")) <= set(PandemicImpact.values)
    assert all(len(rt) == 3 and rt.isdigit() for rt in _column(chunks, "persons", "rt"))
    assert all(len(pc) == 5 and pc.isdigit() for pc in _column(chunks, "persons", "postcode"))
    assert all(p > 0 for p in _column(chunks, "products", "price"))
    ekraf = [e for e in _column(chunks, "businesses", "ekraf_subsector") if e]
    share = len(ekraf) / len(_column(chunks, "businesses", "name"))
    assert 0.3 < share < 0.5
    assert Counter(ekraf).most_common(1)[0][0] == "kuliner"


def test_women_are_not_named_muhammad_or_bin() -> None:
    chunks = _run(people=3000)
    for name, sex in zip(
        _column(chunks, "persons", "full_name"), _column(chunks, "persons", "sex"), strict=True
    ):
        if sex == Sex.FEMALE:
            assert " bin " not in name and not name.startswith(("Muhammad", "M. ", "H. "))


def test_status_mix_reasons_and_dates() -> None:
    chunks = _run(people=5000)
    status = _column(chunks, "businesses", "status")
    shares = {s: n / len(status) for s, n in Counter(status).items()}
    assert set(shares) == set(RegistrationStatus.values)
    assert 0.5 < shares["verified"] < 0.6 and 0.2 < shares["submitted"] < 0.3
    reasons = _column(chunks, "businesses", "status_reason")
    for s, reason in zip(status, reasons, strict=True):
        assert bool(reason) == (s in ("needs_fix", "rejected"))
    window_start = REFERENCE_TIME - np.timedelta64(731, "D")
    for chunk in chunks:
        b = chunk.businesses
        submitted = b["submitted_at"][~np.isnat(b["submitted_at"])]
        assert (submitted >= window_start).all() and (submitted <= REFERENCE_TIME).all()
        assert np.isnat(b["submitted_at"]).tolist() == (b["status"] == "draft").tolist()
        decided = ~np.isnat(b["decided_at"])
        assert (b["decided_at"][decided] > b["submitted_at"][decided]).all()
        assert (b["created_at"] <= np.fmin(b["submitted_at"], REFERENCE_TIME)).all()


def test_businesses_are_in_the_owners_city_and_mostly_at_home() -> None:
    chunks = _run(people=3000)
    same_village = 0
    for chunk in chunks:
        owner_village = chunk.persons["village_code"][chunk.businesses["owner"]]
        business_village = chunk.businesses["village_code"]
        assert [v[:5] for v in business_village.tolist()] == [v[:5] for v in owner_village.tolist()]
        same_village += int((owner_village == business_village).sum())
    assert same_village / len(_column(chunks, "businesses", "name")) > 0.85
