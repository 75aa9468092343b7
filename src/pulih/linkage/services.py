"""Every write of the linkage app: screening lists, runs, review decisions, and merges."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pulih.accounts.models import Role, User
from pulih.intake.models import IntakeRecord, ProposedChange
from pulih.linkage import pipeline, screening
from pulih.linkage.error_codes import LinkageError, LinkageErrorCode as E
from pulih.linkage.evidence import Side, level_weights, oriented, pair_evidence
from pulih.linkage.models import (
    CandidateKind,
    CandidateStatus,
    LinkageRun,
    ListKind,
    MatchCandidate,
    MatchDecision,
    Outcome,
    PersonMerge,
    RunKind,
    RunStatus,
    ScreeningList,
)
from pulih.linkage.names import explain_name_pairs, prepare_names
from pulih.privacy import crypto
from pulih.registry.identifiers import mask_nik
from pulih.registry.models import Business, NikConflict, Person, RegistrationEvent

LINKAGE_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.ADMIN})
NIK_PURPOSE = "nik"
PHONE_PURPOSE = "phone"
# Outcomes an officer may give each kind of pair.
OUTCOMES = {
    CandidateKind.DUPLICATE: {Outcome.SAME_PERSON, Outcome.DIFFERENT_PEOPLE},
    CandidateKind.SHARED_NIK: {Outcome.SAME_PERSON, Outcome.DIFFERENT_PEOPLE},
    CandidateKind.LIST_HIT: {Outcome.ON_LIST, Outcome.NOT_ON_LIST},
}
BATCH = 2_000


def _check_role(actor: User) -> None:
    if actor.role not in LINKAGE_ROLES and not actor.is_superuser:
        raise LinkageError(E.PERMISSION_DENIED)


# --- screening lists ---------------------------------------------------------------------------


def screening_list_import(
    *,
    actor: User,
    kind: ListKind | str,
    source: str,
    as_of: date,
    path: Path,
    original_name: str,
    sheet: str = "",
) -> ScreeningList:
    """Read a reference list through the intake reader and keep it as the next version of
    (kind, source). Rows with neither a valid NIK nor a name and birth date are counted as
    refused; the file is refused as a whole when no row is usable."""
    _check_role(actor)
    clean_source = " ".join(source.split())[:150]
    if not clean_source:
        raise LinkageError(E.SOURCE_REQUIRED)
    entries, refused = screening.read_list(path, original_name, sheet=sheet)
    if entries.height == 0:
        raise LinkageError(E.LIST_NO_ROWS)
    with transaction.atomic():
        latest = ScreeningList.objects.select_for_update().filter(kind=kind, source=clean_source)
        version = (latest.aggregate(v=Max("version"))["v"] or 0) + 1
        latest.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())
        screening_list = ScreeningList.objects.create(
            kind=kind,
            source=clean_source,
            as_of=as_of,
            version=version,
            file_name=Path(original_name).name[:255],
            entry_count=entries.height,
            rejected_count=refused,
            created_by=actor,
        )
        screening.entries_write(screening_list.pk, entries)
    return screening_list


# --- runs ------------------------------------------------------------------------------------


def _registry_records(person_ids: list[int] | None = None) -> tuple[pl.DataFrame, dict[int, Side]]:
    """Current (not merged) registry persons in pulih.linkage.prepare's layout, and what the
    review screen shows of each."""
    qs = Person.objects.filter(merged_into__isnull=True)
    if person_ids is not None:
        qs = qs.filter(pk__in=person_ids)
    rows = qs.values_list(
        "pk",
        "nik_ciphertext",
        "full_name",
        "birth_date",
        "sex",
        "address",
        "region_code",
        "phone_masked",
        "nik_masked",
        "phone_ciphertext",
    ).iterator(chunk_size=10_000)
    columns: dict[str, list[Any]] = {
        k: []
        for k in (
            "record_id",
            "nik",
            "name",
            "birth_date",
            "sex",
            "address",
            "village_code",
            "phone",
        )
    }
    sides: dict[int, Side] = {}
    for pk, ciphertext, name, birth, sex, address, region, phone_masked, nik_masked, phone in rows:
        columns["record_id"].append(str(pk))
        columns["nik"].append(crypto.decrypt(ciphertext, purpose=NIK_PURPOSE))
        columns["name"].append(name)
        columns["birth_date"].append(birth.isoformat() if birth else None)
        columns["sex"].append(sex)
        columns["address"].append(address)
        columns["village_code"].append(region)
        columns["phone"].append(crypto.decrypt(phone, purpose=PHONE_PURPOSE) if phone else None)
        sides[pk] = Side(
            name=name,
            birth_date=birth.isoformat() if birth else "",
            sex=sex,
            nik_masked=nik_masked,
            region=region,
            address=address,
            phone_masked=phone_masked,
        )
    return pl.DataFrame(columns, schema={k: pl.String for k in columns}), sides


def _run_start(actor: User, kind: RunKind, screening_list: ScreeningList | None) -> LinkageRun:
    _check_role(actor)
    return LinkageRun.objects.create(
        kind=kind, screening_list=screening_list, status=RunStatus.RUNNING, started_by=actor
    )


def _run_finish(run: LinkageRun, **counts: Any) -> LinkageRun:
    for key, value in counts.items():
        setattr(run, key, value)
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def _run_fail(run: LinkageRun, error: BaseException) -> None:
    LinkageRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )


def dedupe_run(*, actor: User, engine: str = "duckdb") -> LinkageRun:
    """Possible duplicates in the whole registry into the review queue."""
    run = _run_start(actor, RunKind.DEDUPE, None)
    try:
        records, sides = _registry_records()
        if records.height < 2:
            return _run_finish(run, records=records.height, candidates=0)
        result = pipeline.dedupe(records, engine=engine, learn_m=False)
        weights = level_weights(result.model)
        pairs = [
            oriented(pair, left_id=min(int(pair["unique_id_l"]), int(pair["unique_id_r"])))
            for pair in result.pairs.iter_rows(named=True)
        ]
        ids = [(int(p["unique_id_l"]), int(p["unique_id_r"])) for p in pairs]
        reasons = explain_name_pairs([(sides[a].name, sides[b].name) for a, b in ids])
        found: list[dict[str, Any]] = [
            {
                "kind": CandidateKind.DUPLICATE,
                "pair_key": f"dup:{a}:{b}",
                "person_id": a,
                "other_person_id": b,
                "probability": pair["match_probability"],
                "match_weight": pair["match_weight"],
                "evidence": pair_evidence(
                    pair, left=sides[a], right=sides[b], weights=weights, name_reasons=why
                ),
            }
            for pair, (a, b), why in zip(pairs, ids, reasons, strict=True)
        ]
        written = _candidates_write(run, found, scope={"kind": CandidateKind.DUPLICATE})
        return _run_finish(run, records=records.height, candidates=written, model=result.model)
    except Exception as error:
        _run_fail(run, error)
        raise


def entry_key(*, nik_hash: str, name_key: str, birth_date: str) -> str:
    """Who a list entry is, across versions of the list: the NIK's blind index, or a digest of
    the prepared name (pulih.linkage.names' name_key) and the birth date when it has no NIK."""
    if nik_hash:
        return f"nik:{nik_hash}"
    digest = hashlib.sha256(f"{name_key}|{birth_date}".encode()).hexdigest()[:32]
    return f"name:{digest}"


def screening_run(
    *, actor: User, screening_list: ScreeningList, engine: str = "duckdb"
) -> LinkageRun:
    """Match the registry against one list version: every exact NIK hit (by blind index, so
    none is missed whatever the model says), then the probabilistic ones."""
    run = _run_start(actor, RunKind.SCREEN, screening_list)
    try:
        records, sides = _registry_records()
        entries = screening.entries_frame(screening_list)
        entry_rows = {row["record_id"]: row for row in entries.iter_rows(named=True)}
        # Prepared once for the whole list, not once per pair.
        name_keys = dict(
            zip(entries["record_id"], prepare_names(entries["name"])["name_key"], strict=True)
        )
        found: dict[str, dict[str, Any]] = {}
        exact = screening.exact_nik_hits(screening_list)
        for person_id, entry_id in exact:
            side = sides.get(person_id)
            if side is None:
                continue  # merged into another person: screened as that one
            entry = entry_rows[str(entry_id)]
            key = entry_key(nik_hash=entry["nik_hash"], name_key="", birth_date="")
            evidence = screening.exact_hit_evidence(side, _entry_side(entry))
            found[f"list:{screening_list.kind}:{person_id}:{key}"] = {
                "kind": CandidateKind.LIST_HIT,
                "pair_key": f"list:{screening_list.kind}:{person_id}:{key}",
                "person_id": person_id,
                "entry_id": entry_id,
                "list_kind": screening_list.kind,
                "probability": 1.0,
                "match_weight": 99.0,
                "evidence": evidence,
                "auto": screening.names_agree(side.name, entry["name"] or ""),
            }
        if records.height and entries.height:
            result = pipeline.link(records, entries.drop("nik_hash"))
            weights = level_weights(result.model)
            pairs = [
                oriented(p, left_source="records_0") for p in result.pairs.iter_rows(named=True)
            ]
            reasons = explain_name_pairs(
                [
                    (sides[int(p["unique_id_l"])].name, entry_rows[p["unique_id_r"]]["name"] or "")
                    for p in pairs
                ]
            )
            for pair, why in zip(pairs, reasons, strict=True):
                person_id, entry_id = int(pair["unique_id_l"]), pair["unique_id_r"]
                entry = entry_rows[entry_id]
                key = entry_key(
                    nik_hash=entry["nik_hash"] or "",
                    name_key=name_keys[entry_id] or "",
                    birth_date=entry["birth_date"] or "",
                )
                pair_key = f"list:{screening_list.kind}:{person_id}:{key}"
                if pair_key in found:
                    continue
                found[pair_key] = {
                    "kind": CandidateKind.LIST_HIT,
                    "pair_key": pair_key,
                    "person_id": person_id,
                    "entry_id": int(entry_id),
                    "list_kind": screening_list.kind,
                    "probability": pair["match_probability"],
                    "match_weight": pair["match_weight"],
                    "evidence": pair_evidence(
                        pair,
                        left=sides[person_id],
                        right=_entry_side(entry),
                        weights=weights,
                        name_reasons=why,
                    ),
                }
        written = _candidates_write(
            run,
            list(found.values()),
            scope={"kind": CandidateKind.LIST_HIT, "list_kind": screening_list.kind},
        )
        return _run_finish(run, records=records.height, candidates=written, exact_hits=len(exact))
    except Exception as error:
        _run_fail(run, error)
        raise


def _entry_side(entry: dict[str, Any]) -> Side:
    return Side(
        name=entry["name"] or "",
        birth_date=entry["birth_date"] or "",
        sex=entry["sex"] or "",
        nik_masked=mask_nik(entry["nik"]) if entry.get("nik") else "",
        region=entry["village_code"] or "",
        address="",
        phone_masked="",
    )


def rescreen(*, actor: User, kind: ListKind | str | None = None) -> list[LinkageRun]:
    """One action: screen the registry against the current version of every list (or of
    every list of one kind)."""
    lists = ScreeningList.objects.filter(superseded_at__isnull=True)
    if kind:
        lists = lists.filter(kind=kind)
    return [
        screening_run(actor=actor, screening_list=sl) for sl in lists.order_by("kind", "source")
    ]


def _candidates_write(
    run: LinkageRun, found: list[dict[str, Any]], *, scope: dict[str, Any]
) -> int:
    """Insert new pairs, refresh known ones, and keep every decision: a decided pair stays
    decided whatever its new score; pairs this run no longer found stop being current."""
    keys = [f["pair_key"] for f in found]
    with transaction.atomic():
        existing = {
            c.pair_key: c
            for start in range(0, len(keys), BATCH)
            for c in MatchCandidate.objects.select_for_update().filter(
                pair_key__in=keys[start : start + BATCH]
            )
        }
        new, changed = [], []
        for item in found:
            auto = item.pop("auto", False)
            candidate = existing.get(item["pair_key"])
            if candidate is None:
                status = CandidateStatus.CONFIRMED if auto else CandidateStatus.OPEN
                new.append(MatchCandidate(run=run, status=status, current=True, **item))
                continue
            candidate.probability = item["probability"]
            candidate.match_weight = item["match_weight"]
            candidate.evidence = item["evidence"]
            candidate.entry_id = item.get("entry_id")
            candidate.run = run
            candidate.current = True
            changed.append(candidate)
        MatchCandidate.objects.bulk_create(new, batch_size=BATCH)
        MatchCandidate.objects.bulk_update(
            changed,
            ["probability", "match_weight", "evidence", "entry", "run", "current", "updated_at"],
            batch_size=BATCH,
        )
        MatchCandidate.objects.filter(**scope, current=True).exclude(run=run).update(current=False)
    return len(found)


# --- decisions ---------------------------------------------------------------------------------


def candidate_decide(
    *,
    actor: User,
    candidate: MatchCandidate,
    outcome: Outcome | str,
    reason: str,
    keep_person_id: int | None = None,
) -> MatchDecision:
    """Record an officer's decision on a pair; "same person" on two registry persons merges
    them into the one the officer keeps. Deciding twice (a double click, two officers) is
    refused with who decided first."""
    _check_role(actor)
    reason = reason.strip()
    if not reason:
        raise LinkageError(E.REASON_REQUIRED)
    if outcome not in OUTCOMES[CandidateKind(candidate.kind)]:
        raise LinkageError(E.OUTCOME_NOT_ALLOWED)
    with transaction.atomic():
        locked = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status == CandidateStatus.DECIDED:
            last = locked.decisions.select_related("decided_by").first()
            raise LinkageError(E.ALREADY_DECIDED, user=str(last.decided_by) if last else "-")
        decision = MatchDecision.objects.create(
            candidate=locked,
            pair_key=locked.pair_key,
            outcome=outcome,
            reason=reason[:2000],
            decided_by=actor,
        )
        locked.status = CandidateStatus.DECIDED
        locked.save(update_fields=["status", "updated_at"])
        if outcome == Outcome.SAME_PERSON and locked.other_person_id is not None:
            if keep_person_id not in (locked.person_id, locked.other_person_id):
                raise LinkageError(E.KEEP_REQUIRED)
            merged_id = (
                locked.other_person_id if keep_person_id == locked.person_id else locked.person_id
            )
            _persons_merge(
                actor=actor, kept_id=keep_person_id, merged_id=merged_id, decision=decision
            )
    return decision


def _persons_merge(
    *, actor: User, kept_id: int, merged_id: int, decision: MatchDecision
) -> PersonMerge:
    """Move what hangs on the merged person to the kept one; keep the merged row itself."""
    kept, merged = (
        Person.objects.select_for_update().get(pk=kept_id),
        Person.objects.select_for_update().get(pk=merged_id),
    )
    if kept.merged_into_id or merged.merged_into_id:
        raise LinkageError(E.PERSON_ALREADY_MERGED)
    snapshot = {
        field.attname: _jsonable(getattr(merged, field.attname))
        for field in Person._meta.concrete_fields
        if field.attname not in ("nik_ciphertext", "phone_ciphertext")
    }
    business_ids = list(Business.objects.filter(owner=merged).values_list("pk", flat=True))
    moved = {
        "businesses": business_ids,
        "intake_records": IntakeRecord.objects.filter(person=merged).update(person=kept),
        "proposed_changes": ProposedChange.objects.filter(person=merged).update(person=kept),
        "nik_conflicts": NikConflict.objects.filter(person=merged).update(person=kept),
        "candidates": _candidates_repoint(merged_id=merged.pk, kept_id=kept.pk),
    }
    Business.objects.filter(pk__in=business_ids).update(owner=kept)
    RegistrationEvent.objects.bulk_create(
        RegistrationEvent(
            business_id=business_id,
            actor=actor,
            action="merge",
            reason=decision.reason,
            changes={"owner": {"from": merged.pk, "to": kept.pk}},
        )
        for business_id in business_ids
    )
    if merged.account_id and not kept.account_id:
        account = merged.account_id
        Person.objects.filter(pk=merged.pk).update(account=None)
        Person.objects.filter(pk=kept.pk).update(account=account)
    Person.objects.filter(pk=merged.pk).update(merged_into=kept, updated_at=timezone.now())
    return PersonMerge.objects.create(
        kept=kept,
        merged=merged,
        decision=decision,
        snapshot=snapshot,
        moved=moved,
        merged_by=actor,
    )


def _candidates_repoint(*, merged_id: int, kept_id: int) -> int:
    """Open pairs that named the merged person are moot; list hits move to the kept one."""
    MatchCandidate.objects.filter(status=CandidateStatus.OPEN, kind=CandidateKind.DUPLICATE).filter(
        other_person_id=merged_id
    ).update(current=False)
    return MatchCandidate.objects.filter(kind=CandidateKind.LIST_HIT, person_id=merged_id).update(
        person_id=kept_id
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value
