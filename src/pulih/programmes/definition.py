"""A programme written as a readable TOML file (rules included), checked before it is saved.

    [programme]
    code = "bpum-2021"
    name = "Banpres Produktif Usaha Mikro 2021"
    kind = "cash"                        # programmes.kinds: cash, capital, goods, food
    agency = "Dinas PPKUKM Provinsi DKI Jakarta"

    [[declaration]]                      # what applicants state for this programme
    field = "savings_balance"
    label = "Saldo tabungan (Rp)"
    type = "money"                       # money | yes_no | text

    [[rule]]
    check = "business_size"              # programmes.rules.CHECKS
    sizes = ["mikro"]
    label = "usaha mikro"

    [[round]]
    code = "tahap-1"
    name = "Tahap 1"
    opens = 2021-03-01
    closes = 2021-03-31
    amount = 1_200_000
    budget = 600_000_000_000
    banks = ["BRI", "BNI"]
    [[round.quota]]
    region = "31.71"
    recipients = 100_000

Every problem is reported in Indonesian with where it is ("aturan ke-3", "putaran tahap-1").
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from typing import Any

from pulih.programmes.error_codes import ProgrammeError, ProgrammeErrorCode as E
from pulih.programmes.kinds import KINDS
from pulih.programmes.rules import CHECKS, ONE_PER_PERSON, Rule

DECLARATION_TYPES = ("money", "yes_no", "text")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TYPE_NAMES = {
    "str": "teks",
    "int": "bilangan bulat",
    "bool": "true/false",
    "list[str]": "daftar teks",
    "date": "tanggal (2021-03-01)",
    "list": "daftar",
    "table": "tabel",
}


def _typed(value: Any, expected: str) -> bool:
    if expected == "str":
        return isinstance(value, str)
    if expected == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "bool":
        return isinstance(value, bool)
    if expected == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if expected == "date":
        return isinstance(value, date)
    if expected == "list":
        return isinstance(value, list)
    if expected == "table":
        return isinstance(value, dict)
    raise AssertionError(expected)


def _take(table: dict[str, Any], key: str, expected: str, where: str, *, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise ProgrammeError(E.DEFINITION_MISSING, where=where, key=key)
        return default
    value = table[key]
    if not _typed(value, expected):
        raise ProgrammeError(
            E.DEFINITION_TYPE, where=where, key=key, expected=_TYPE_NAMES[expected]
        )
    return value


def _no_extra(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ProgrammeError(E.DEFINITION_UNKNOWN_KEY, where=where, key=key)


def _code(value: str, where: str, key: str = "code") -> str:
    if not _CODE.match(value):
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE,
            where=where,
            detail=f"“{key}” hanya huruf kecil, angka, - dan _ (paling banyak 60): {value!r}",
        )
    return value


def _positive(value: int, where: str, key: str, *, zero: bool = False) -> int:
    if value < 0 or (value == 0 and not zero):
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE, where=where, detail=f"“{key}” harus lebih dari 0"
        )
    return value


def parse(source: str) -> dict[str, Any]:
    """The checked definition as plain JSON-able data (dates as ISO text)."""
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeError(E.DEFINITION_SYNTAX, detail=str(exc)) from exc
    _no_extra(raw, {"programme", "declaration", "rule", "round"}, "berkas")
    programme = _programme(_take(raw, "programme", "table", "berkas"))
    declarations = [
        _declaration(d, f"pernyataan ke-{i}")
        for i, d in enumerate(_take(raw, "declaration", "list", "berkas", default=[]), start=1)
    ]
    declared = {d["field"]: d["label"] for d in declarations}
    _unique([d["field"] for d in declarations], "pernyataan")
    rules = [
        _rule(r, f"aturan ke-{i}", declared)
        for i, r in enumerate(_take(raw, "rule", "list", "berkas", default=[]), start=1)
    ]
    _unique([r["code"] for r in rules] + [ONE_PER_PERSON.code], "aturan")
    rounds = [
        _round(r, f"putaran ke-{i}", programme["kind"])
        for i, r in enumerate(_take(raw, "round", "list", "berkas", default=[]), start=1)
    ]
    _unique([r["code"] for r in rounds], "putaran")
    return {
        "programme": programme,
        "declarations": declarations,
        "rules": rules,
        "rounds": rounds,
    }


def _unique(codes: list[str], where: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ProgrammeError(E.DEFINITION_DUPLICATE, where=where, code=code)
        seen.add(code)


def _programme(table: dict[str, Any]) -> dict[str, Any]:
    where = "[programme]"
    _no_extra(table, {"code", "name", "kind", "agency", "description"}, where)
    kind = _take(table, "kind", "str", where)
    if kind not in KINDS:
        raise ProgrammeError(E.DEFINITION_UNKNOWN_KIND, kind=kind, choices=", ".join(KINDS))
    return {
        "code": _code(_take(table, "code", "str", where), where),
        "name": _text(_take(table, "name", "str", where), where, "name", 200),
        "kind": kind,
        "agency": _text(_take(table, "agency", "str", where), where, "agency", 200),
        "description": _take(table, "description", "str", where, default=""),
    }


def _text(value: str, where: str, key: str, limit: int) -> str:
    clean = " ".join(value.split())
    if not clean:
        raise ProgrammeError(E.DEFINITION_MISSING, where=where, key=key)
    if len(clean) > limit:
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE, where=where, detail=f"“{key}” lebih dari {limit} karakter"
        )
    return clean


def _declaration(table: dict[str, Any], where: str) -> dict[str, Any]:
    _no_extra(table, {"field", "label", "type", "required", "columns"}, where)
    name = _take(table, "field", "str", where)
    if not _FIELD.match(name):
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE, where=where, detail=f"nama isian {name!r} tidak sah"
        )
    kind = _take(table, "type", "str", where)
    if kind not in DECLARATION_TYPES:
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE,
            where=where,
            detail=f"jenis {kind!r} tidak dikenal ({', '.join(DECLARATION_TYPES)})",
        )
    return {
        "field": name,
        "label": _text(_take(table, "label", "str", where), where, "label", 150),
        "type": kind,
        "required": _take(table, "required", "bool", where, default=True),
        # Other headers senders use for it in their lists ("Saldo", "Saldo Rekening").
        "columns": _take(table, "columns", "list[str]", where, default=[]),
    }


def _rule(table: dict[str, Any], where: str, declared: dict[str, str]) -> dict[str, Any]:
    check_name = _take(table, "check", "str", where)
    check = CHECKS.get(check_name)
    if check is None or check_name == ONE_PER_PERSON.check:
        choices = ", ".join(c for c in CHECKS if c != ONE_PER_PERSON.check)
        raise ProgrammeError(
            E.DEFINITION_UNKNOWN_CHECK, where=where, check=check_name, choices=choices
        )
    _no_extra(table, {"check", "code", "label", *check.params}, where)
    params = {key: _take(table, key, expected, where) for key, expected in check.params.items()}
    for key, value in params.items():
        if isinstance(value, list) and not value:
            raise ProgrammeError(E.DEFINITION_BAD_VALUE, where=where, detail=f"“{key}” kosong")
    if "field" in params:
        if params["field"] not in declared:
            raise ProgrammeError(
                E.DEFINITION_BAD_VALUE,
                where=where,
                detail=f"isian {params['field']!r} tidak dinyatakan di [[declaration]]",
            )
        # The seen value reads with the declaration's own words ("Saldo tabungan (Rp)").
        params["field_label"] = declared[params["field"]]
    check.validate(params, where)
    code = _code(_take(table, "code", "str", where, default=check_name), where)
    label = _take(table, "label", "str", where, default="") or check.default_label(params)
    return {"code": code, "check": check_name, "label": " ".join(label.split()), "params": params}


def _round(table: dict[str, Any], where: str, kind: str) -> dict[str, Any]:
    allowed = {"code", "name", "opens", "closes", "amount", "budget", "banks", "appeal_days",
               "item", "quota"}  # fmt: skip
    _no_extra(table, allowed, where)
    code = _code(_take(table, "code", "str", where), where)
    where = f"putaran {code}"
    opens = _take(table, "opens", "date", where)
    closes = _take(table, "closes", "date", where)
    if closes < opens:
        raise ProgrammeError(
            E.DEFINITION_BAD_VALUE, where=where, detail="tanggal tutup sebelum tanggal buka"
        )
    amount = _positive(_take(table, "amount", "int", where), where, "amount")
    budget = _positive(_take(table, "budget", "int", where), where, "budget", zero=True)
    banks = [b.strip().upper() for b in _take(table, "banks", "list[str]", where, default=[])]
    if KINDS[kind].pays_through_banks and not banks:
        raise ProgrammeError(E.DEFINITION_MISSING, where=where, key="banks")
    _unique(banks, f"{where}: bank")
    items = []
    for i, item in enumerate(_take(table, "item", "list", where, default=[]), start=1):
        at = f"{where}, barang ke-{i}"
        _no_extra(item, {"name", "quantity", "unit"}, at)
        items.append(
            {
                "name": _text(_take(item, "name", "str", at), at, "name", 150),
                "quantity": _positive(_take(item, "quantity", "int", at), at, "quantity"),
                "unit": _take(item, "unit", "str", at, default=""),
            }
        )
    if not KINDS[kind].pays_through_banks and not items:
        raise ProgrammeError(E.DEFINITION_MISSING, where=where, key="item")
    quotas = []
    for i, quota in enumerate(_take(table, "quota", "list", where, default=[]), start=1):
        at = f"{where}, kuota ke-{i}"
        _no_extra(quota, {"region", "recipients"}, at)
        region = _take(quota, "region", "str", at)
        quotas.append(
            {
                "region": region,
                "recipients": _positive(_take(quota, "recipients", "int", at), at, "recipients"),
            }
        )
    regions = [q["region"] for q in quotas]
    if regions:
        CHECKS["business_region"].validate({"regions": regions}, where)
        _unique(regions, f"{where}: kuota")
        for a in regions:
            for b in regions:
                if a != b and b.startswith(a + "."):
                    raise ProgrammeError(
                        E.DEFINITION_BAD_VALUE,
                        where=where,
                        detail=f"kuota {b} berada di dalam kuota {a}; kuota tidak boleh bertumpuk",
                    )
    return {
        "code": code,
        "name": _text(_take(table, "name", "str", where), where, "name", 200),
        "opens": opens.isoformat(),
        "closes": closes.isoformat(),
        "amount": amount,
        "budget": budget,
        "banks": banks,
        "appeal_days": _positive(
            _take(table, "appeal_days", "int", where, default=14), where, "appeal_days"
        ),
        "items": items,
        "quotas": quotas,
    }


def rules_of(definition: dict[str, Any]) -> list[Rule]:
    return [
        Rule(code=r["code"], check=r["check"], label=r["label"], params=r["params"])
        for r in definition["rules"]
    ]
