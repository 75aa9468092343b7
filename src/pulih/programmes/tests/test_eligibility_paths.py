"""Evaluating a whole round and evaluating one application give the same decision, rule by
rule and value by value, for random applicants (hypothesis), through the real database."""

from __future__ import annotations

import itertools
from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from pulih.accounts.models import Role
from pulih.linkage.models import ListKind
from pulih.programmes import pipeline, services
from pulih.programmes.definition import parse, rules_of
from pulih.programmes.models import Application, RoundStatus
from pulih.programmes.services import ApplicationData
from pulih.programmes.tests.conftest import BANDUNG_VILLAGE, DKI_VILLAGE, nik_of, screening_list
from pulih.registry import services as registry_services
from pulih.testing.factories import business_data, person_data, user_make

pytestmark = pytest.mark.django_db

DEFINITION = """
[programme]
code = "{code}"
name = "Uji jalur"
kind = "cash"
agency = "Dinas Uji"

[[declaration]]
field = "savings_balance"
label = "Saldo tabungan (Rp)"
type = "money"
required = false

[[declaration]]
field = "has_bank_credit"
label = "Sedang menerima kredit"
type = "yes_no"
required = false

[[rule]]
check = "in_civil_registry"
[[rule]]
check = "nik_consistent"
[[rule]]
check = "business_size"
sizes = ["mikro"]
[[rule]]
check = "business_region"
regions = ["31"]
[[rule]]
code = "aparatur"
check = "not_listed"
lists = ["asn", "tni"]
[[rule]]
code = "meninggal"
check = "not_listed"
lists = ["deceased"]
[[rule]]
check = "declared_at_most"
field = "savings_balance"
max = 2_000_000
[[rule]]
check = "declared_is"
field = "has_bank_credit"
value = false
[[rule]]
check = "business_verified"

[[round]]
code = "r"
name = "Putaran"
opens = 2021-01-01
closes = 2030-12-31
amount = 1_000_000
budget = 1_000_000_000
banks = ["BRI"]
"""

_serial = itertools.count(1000)
_codes = itertools.count(1)

applicant = st.fixed_dictionaries(
    {
        "size": st.sampled_from(["mikro", "kecil", "menengah"]),
        "dki": st.booleans(),
        "savings": st.one_of(st.none(), st.integers(0, 5_000_000)),
        "credit": st.one_of(st.none(), st.booleans()),
        "lists": st.sets(st.sampled_from(["asn", "tni", "deceased"])),
        "civil": st.sampled_from(["match", "absent", "other_person", "birth_date"]),
        "stated_birth_off": st.booleans(),
        "verified": st.booleans(),
    }
)


def _make(spec: dict, officer, approver) -> tuple:
    village = DKI_VILLAGE if spec["dki"] else BANDUNG_VILLAGE
    born = date(1970, 1, 1 + next(_serial) % 27)
    owner = user_make(role=Role.OWNER)
    data = person_data(village=village, serial=next(_serial) % 9000 + 1, birth_date=born)
    if spec["stated_birth_off"]:
        data = type(data)(**{**data.__dict__, "birth_date": date(1971, 2, 2)})
    person = registry_services.person_register(actor=owner, data=data)
    figures = {
        "mikro": {"capital": 10_000_000, "annual_sales": 100_000_000},
        "kecil": {"capital": 2_000_000_000, "annual_sales": 3_000_000_000},
        "menengah": {"capital": 7_000_000_000, "annual_sales": 20_000_000_000},
    }[spec["size"]]
    business = registry_services.business_create(
        actor=owner, owner=person, data=business_data(village=village, **figures)
    )
    business = registry_services.registration_submit(actor=owner, business=business)
    if spec["verified"]:
        business = registry_services.registration_verify(actor=officer, business=business)
    return person, business, data


@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(applicant, min_size=1, max_size=6))
def test_round_and_single_evaluation_agree(people, tmp_path_factory) -> None:
    officer = user_make(role=Role.OFFICER, regions=("31", "32"))
    approver = user_make(role=Role.APPROVER, regions=("31", "32"))
    admin = user_make(role=Role.ADMIN)
    code = f"uji-jalur-{next(_codes)}"
    version = services.programme_load(actor=admin, source=DEFINITION.replace("{code}", code))
    round_obj = services.round_transition(
        actor=admin, round_obj=version.programme.rounds.get(), to=RoundStatus.OPEN
    )
    tmp = tmp_path_factory.mktemp("lists")
    made = [(spec, *_make(spec, officer, approver)) for spec in people]
    civil_rows, list_rows = [], {k: [] for k in ("asn", "tni", "deceased")}
    for spec, person, business, data in made:
        nik = nik_of(business)
        born = data.birth_date.strftime("%d-%m-%Y")
        if spec["civil"] == "match":
            civil_rows.append((nik, person.full_name, born))
        elif spec["civil"] == "other_person":
            civil_rows.append((nik, "Orang Lain Sekali", "01-01-1950"))
        elif spec["civil"] == "birth_date":
            civil_rows.append((nik, person.full_name, "02-02-1999"))
        for kind in spec["lists"]:
            list_rows[kind].append((nik, person.full_name, ""))
    if civil_rows:
        screening_list(admin, tmp, ListKind.CIVIL_REGISTRY, civil_rows, source=f"Dukcapil {code}")
    for kind, rows in list_rows.items():
        if rows:
            screening_list(admin, tmp, ListKind(kind), rows, source=f"{kind} {code}")
    for spec, person, business, _ in made:
        declarations = {}
        if spec["savings"] is not None:
            declarations["savings_balance"] = spec["savings"]
        if spec["credit"] is not None:
            declarations["has_bank_credit"] = spec["credit"]
        services.application_submit(
            actor=admin,
            round_obj=round_obj,
            data=ApplicationData(
                person_id=person.pk, business_id=business.pk, declarations=declarations
            ),
        )
    one_by_one = {
        a.pk: (a.eligible, a.results) for a in Application.objects.filter(round=round_obj)
    }
    services.eligibility_run(actor=admin, round_obj=round_obj)
    whole_round = {
        a.pk: (a.eligible, a.results) for a in Application.objects.filter(round=round_obj)
    }
    assert whole_round == one_by_one
    # And the planted facts are what decided it.
    for (spec, *_rest), (_pk, (eligible, results)) in zip(
        made, sorted(whole_round.items()), strict=True
    ):
        passed = {code: ok for code, ok, _seen in results}
        assert passed["in_civil_registry"] == (spec["civil"] == "match")
        assert passed["aparatur"] == (not {"asn", "tni"} & spec["lists"])
        assert passed["meninggal"] == ("deceased" not in spec["lists"])
        assert passed["business_region"] == spec["dki"]
        assert passed["business_size"] == (spec["size"] == "mikro")
        assert passed["business_verified"] == spec["verified"]
        assert passed["nik_consistent"] == (not spec["stated_birth_off"])
        assert eligible == all(passed.values())


@hsettings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "size_class": st.sampled_from(["mikro", "kecil", "menengah", ""]),
                "business_region": st.sampled_from(
                    ["31.71.01.1001", "31.75.02.1003", "32.73.01.1001", "33.74.01.1001"]
                ),
                "savings": st.one_of(st.none(), st.integers(-10, 4_000_000)),
                "asn": st.sampled_from(["", "hit", "review"]),
                "rank": st.integers(1, 3),
            }
        ),
        min_size=1,
        max_size=40,
    )
)
def test_rules_read_only_their_own_row(rows) -> None:
    """A frame evaluated whole equals its rows evaluated one at a time: no rule looks at
    another row (person_rank, the only cross-row input, is computed before evaluation)."""
    definition = parse(
        DEFINITION.replace("{code}", "uji-baris").replace(
            'regions = ["31"]', 'regions = ["31.71", "33"]'
        )
    )
    rules = rules_of(definition)
    frame = pl.DataFrame(
        {
            "application_id": list(range(1, len(rows) + 1)),
            "status": ["submitted"] * len(rows),
            "size_class": [r["size_class"] for r in rows],
            "business_region": [r["business_region"] for r in rows],
            "business_region_name": [r["business_region"] for r in rows],
            "business_status": ["verified"] * len(rows),
            "declared_savings_balance": [r["savings"] for r in rows],
            "declared_has_bank_credit": [False] * len(rows),
            "list_asn": [r["asn"] for r in rows],
            "list_tni": [""] * len(rows),
            "list_deceased": [""] * len(rows),
            "civil_registry": ["match"] * len(rows),
            "nik_birth_date_mismatch": [False] * len(rows),
            "nik_sex_mismatch": [False] * len(rows),
            "shared_nik": [False] * len(rows),
            "person_rank": [r["rank"] for r in rows],
            "first_application_id": [1] * len(rows),
        },
        schema_overrides={"declared_savings_balance": pl.Int64, "person_rank": pl.UInt32},
    )
    whole = pipeline.evaluate(frame, rules).frame
    single = pl.concat(
        [pipeline.evaluate(frame.slice(i, 1), rules).frame for i in range(len(rows))]
    )
    assert whole.to_dicts() == single.to_dicts()
