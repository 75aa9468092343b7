"""`pulih dedupe` and `pulih screen` on analysts' files."""

from datetime import date

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from pulih.accounts.models import Role
from pulih.linkage import services
from pulih.linkage.models import ListKind
from pulih.linkage.synthetic import population
from pulih.testing.factories import user_make

pytestmark = pytest.mark.django_db


def test_dedupe_writes_clusters_and_keeps_unknown_columns(tmp_path):
    people = population(300, seed=9)
    truth = dict(people.select("record_id", "person_id").iter_rows())
    source = tmp_path / "records.csv"
    people.rename({"person_id": "kode_internal"}).write_csv(source)
    out = tmp_path / "clusters.parquet"

    call_command("dedupe", str(source), "--out", str(out))

    result = pl.read_parquet(out)
    assert result.height == people.height
    assert {
        "record_id",
        "cluster_id",
        "match_probability",
        "nik_anomalies",
        "kode_internal",
    } <= set(result.columns)
    # Records of one synthetic person share a cluster (recall on this small set is complete).
    by_person: dict[int, set[str]] = {}
    for record_id, cluster_id in result.select("record_id", "cluster_id").iter_rows():
        by_person.setdefault(truth[record_id], set()).add(cluster_id)
    split = [p for p, clusters in by_person.items() if len(clusters) > 1]
    assert len(split) <= len(by_person) * 0.02
    assert not (tmp_path / "clusters.parquet.partial").exists()


def test_dedupe_refuses_a_file_without_record_id(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("nik,name\n3171014708790003,Siti\n", encoding="utf-8")
    with pytest.raises(CommandError, match="record_id"):
        call_command("dedupe", str(source), "--out", str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_dedupe_refuses_repeated_record_ids(tmp_path):
    source = tmp_path / "twice.csv"
    source.write_text("record_id,name\n1,Siti\n1,Budi\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unik"):
        call_command("dedupe", str(source), "--out", str(tmp_path / "out.csv"))


def test_screen_finds_every_exact_nik_and_writes_csv(tmp_path):
    officer = user_make(role=Role.OFFICER, regions=("31",))
    people = population(200, duplicate_rate=0.0, seed=4)
    listed = people.filter(pl.col("nik").is_not_null()).head(25)
    list_file = tmp_path / "asn.csv"
    listed.select(
        pl.col("nik").alias("NIK"),
        pl.col("name").alias("Nama"),
        pl.col("birth_date").cast(pl.String).alias("Tanggal Lahir"),
    ).write_csv(list_file, separator=";")
    services.screening_list_import(
        actor=officer, kind=ListKind.ASN, source="BKD DKI", as_of=date(2021, 1, 4),
        path=list_file, original_name="asn.csv",
    )  # fmt: skip
    out = tmp_path / "screened.csv"

    call_command("screen", _write(people, tmp_path), "--list", "asn", "--out", str(out))

    result = pl.read_csv(out, infer_schema=False)
    hits = set(result.filter(pl.col("list_hit") == "true")["record_id"])
    assert set(listed["record_id"]) <= hits  # 100% recall of exact NIK hits
    exact = result.filter(pl.col("list_match") == "nik")
    assert set(exact["record_id"]) == set(listed["record_id"])
    assert set(exact["list_source"]) == {"BKD DKI"}


def _write(frame: pl.DataFrame, folder) -> str:
    path = folder / "in.csv"
    frame.drop("person_id").write_csv(path)
    return str(path)
