"""The fields a proposer list can fill, and the guess of which column holds which."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from pulih.intake.error_codes import IntakeError, IntakeErrorCode as E


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # lazy translation
    aliases: tuple[str, ...]


# Aliases are compared after header_key(): lower case, letters and digits only, single spaces.
FIELDS: tuple[Field, ...] = (
    Field("nik", _("NIK"), ("nik", "no ktp", "nomor ktp", "no nik", "nomor nik", "nik ktp",
                            "ktp", "nomor induk kependudukan", "nik pemilik", "nik pelaku usaha")),
    Field("full_name", _("Nama lengkap"), ("nama", "nama lengkap", "nama pemilik", "nama pelaku usaha",
                                           "nama penerima", "nama sesuai ktp", "nama pengusaha",
                                           "nama pemilik usaha", "nama lengkap sesuai ktp")),
    Field("birth_place", _("Tempat lahir"), ("tempat lahir", "tmp lahir", "tpt lahir")),
    Field("birth_date", _("Tanggal lahir"), ("tanggal lahir", "tgl lahir", "tgl lhr", "tanggal lhr",
                                             "tanggal kelahiran")),
    Field("place_date", _("Tempat/tanggal lahir"), ("tempat tgl lahir", "tempat tanggal lahir",
                                                    "ttl", "tempat tgl lhr", "tempat dan tanggal lahir")),
    Field("sex", _("Jenis kelamin"), ("jenis kelamin", "jk", "l p", "kelamin", "gender", "sex")),
    Field("address", _("Alamat"), ("alamat", "alamat ktp", "alamat rumah", "alamat domisili",
                                   "alamat tempat tinggal", "alamat lengkap", "jalan")),
    Field("rt_rw", _("RT/RW"), ("rt rw", "rtrw", "rt dan rw")),
    Field("rt", _("RT"), ("rt",)),
    Field("rw", _("RW"), ("rw",)),
    Field("village", _("Kelurahan/desa"), ("kelurahan", "desa", "kelurahan desa", "desa kelurahan",
                                           "kel", "kel desa", "nama kelurahan", "nama desa")),
    Field("district", _("Kecamatan"), ("kecamatan", "kec", "nama kecamatan")),
    Field("city", _("Kabupaten/kota"), ("kota", "kabupaten", "kabupaten kota", "kota kabupaten",
                                        "kab kota", "kota kab", "kab", "nama kota")),
    Field("province", _("Provinsi"), ("provinsi", "prov", "propinsi")),
    Field("village_code", _("Kode kelurahan/desa"), ("kode wilayah", "kode kelurahan", "kode desa",
                                                     "kode kel", "kode kelurahan desa", "kode wil")),
    Field("postcode", _("Kode pos"), ("kode pos", "kodepos", "kd pos")),
    Field("phone", _("Nomor HP"), ("no hp", "nomor hp", "no telp", "nomor telepon", "no telepon",
                                   "telepon", "hp", "no handphone", "handphone", "no hp wa",
                                   "nomor whatsapp", "no wa", "kontak", "telp")),
    Field("email", _("Surel"), ("email", "e mail", "surel", "alamat email")),
    Field("business_name", _("Nama usaha"), ("nama usaha", "nama toko", "usaha", "nama umkm",
                                             "nama perusahaan", "merek", "nama brand")),
    Field("business_sector", _("Bidang usaha"), ("bidang usaha", "jenis usaha", "sektor usaha",
                                                 "sektor", "bidang", "kategori usaha")),
    Field("kbli_code", _("Kode KBLI"), ("kbli", "kode kbli")),
    Field("nib", _("NIB"), ("nib", "nomor induk berusaha", "no nib", "nomor nib")),
    Field("business_address", _("Alamat usaha"), ("alamat usaha", "alamat tempat usaha",
                                                  "lokasi usaha")),
    Field("capital", _("Modal usaha (Rp)"), ("modal", "modal usaha", "aset", "nilai aset",
                                             "modal usaha rp")),
    Field("annual_sales", _("Penjualan tahunan (Rp)"), ("omzet per tahun", "omzet tahunan",
                                                        "penjualan tahunan", "hasil penjualan tahunan",
                                                        "omset per tahun", "omset tahunan")),
    Field("monthly_turnover", _("Omzet per bulan (Rp)"), ("omzet", "omset", "omzet per bulan",
                                                          "omset per bulan", "omzet bulanan",
                                                          "omset bulanan", "pendapatan per bulan")),
    Field("employees", _("Jumlah pekerja"), ("jumlah pekerja", "jumlah karyawan", "tenaga kerja",
                                             "jml tenaga kerja", "karyawan", "jumlah tenaga kerja")),
    Field("started_year", _("Tahun mulai usaha"), ("tahun mulai", "tahun berdiri", "mulai usaha",
                                                   "tahun mulai usaha")),
)  # fmt: skip

FIELD_KEYS = frozenset(f.key for f in FIELDS)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
_ALIAS_TO_KEY = {alias: f.key for f in FIELDS for alias in f.aliases}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """ "No. KTP" -> "no ktp", "Tempat/Tgl Lahir" -> "tempat tgl lahir", "RT/RW" -> "rt rw"."""
    return " ".join(_NON_ALNUM.sub(" ", header.lower()).split())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Each header's field key, or "" where none fits. A field is given to its first column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = _ALIAS_TO_KEY.get(header_key(header), "")
        if not key:
            # A leading "No" column number, "No." and the like are left alone; otherwise try the
            # header without a trailing unit such as "(Rp)" or "(sesuai KTP)".
            trimmed = header_key(re.sub(r"\(.*?\)", " ", header))
            key = _ALIAS_TO_KEY.get(trimmed, "")
        if key in taken:
            key = ""
        if key:
            taken.add(key)
        mapping[header] = key
    return mapping


def mapping_apply_template(headers: list[str], template: dict[str, str]) -> dict[str, str]:
    """The sender's saved mapping where it names these headers, the guess for the rest."""
    guessed = guess_mapping(headers)
    mapping = {h: template.get(h, guessed[h]) for h in headers}
    # The template wins; a guessed field it already placed elsewhere is dropped.
    placed = {template[h] for h in headers if template.get(h)}
    for h in headers:
        if h not in template and mapping[h] in placed:
            mapping[h] = ""
    return mapping


def mapping_check(mapping: dict[str, str]) -> dict[str, str]:
    """Refuse a mapping an import cannot run with; return it cleaned."""
    seen: set[str] = set()
    cleaned: dict[str, str] = {}
    for header, key in mapping.items():
        key = key or ""
        if key and key not in FIELD_KEYS:
            raise IntakeError(E.MAPPING_UNKNOWN_FIELD, field=key)
        if key and key in seen:
            raise IntakeError(E.MAPPING_DUPLICATE, field=str(FIELD_BY_KEY[key].label))
        if key:
            seen.add(key)
        cleaned[header] = key
    if "nik" not in seen:
        raise IntakeError(E.NO_NIK_COLUMN)
    if "full_name" not in seen:
        raise IntakeError(E.NO_NAME_COLUMN)
    return cleaned
