"""Why a file or a row was refused, with the Indonesian message an officer reads."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from pulih.errors import CodedError
from pulih.registry.error_codes import MESSAGES as REGISTRY_MESSAGES, RegistryErrorCode


class IntakeErrorCode(StrEnum):
    # the file as a whole
    FILE_TOO_LARGE = "file_too_large"
    FILE_EMPTY = "file_empty"
    TOO_MANY_ROWS = "too_many_rows"
    UNKNOWN_EXTENSION = "unknown_extension"
    NOT_CSV = "not_csv"
    NOT_XLSX = "not_xlsx"
    XLS_OLD_FORMAT = "xls_old_format"
    PASSWORD_PROTECTED = "password_protected"  # noqa: S105 - a code, not a password
    TRUNCATED = "truncated"
    ZIP_BOMB = "zip_bomb"
    SHEET_NOT_FOUND = "sheet_not_found"
    NO_HEADER = "no_header"
    NO_NIK_COLUMN = "no_nik_column"
    NO_NAME_COLUMN = "no_name_column"
    MAPPING_DUPLICATE = "mapping_duplicate"
    MAPPING_UNKNOWN_FIELD = "mapping_unknown_field"
    SOURCE_REQUIRED = "source_required"
    JOB_NOT_RESUMABLE = "job_not_resumable"
    CHANGE_ALREADY_DECIDED = "change_already_decided"
    PERMISSION_DENIED = "permission_denied"
    # one row
    ROW_COLUMNS = "row_columns"
    NAME_MISSING = "name_missing"
    NAME_TOO_LONG = "name_too_long"
    BIRTH_DATE_UNREADABLE = "birth_date_unreadable"
    SEX_UNREADABLE = "sex_unreadable"
    ADDRESS_MISSING = "address_missing"
    REGION_MISSING = "region_missing"
    REGION_NOT_FOUND = "region_not_found"
    REGION_AMBIGUOUS = "region_ambiguous"
    REGION_OUT_OF_SCOPE = "region_out_of_scope"
    BUSINESS_NAME_MISSING = "business_name_missing"
    MONEY_UNREADABLE = "money_unreadable"
    NUMBER_UNREADABLE = "number_unreadable"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    PERSON_OUT_OF_SCOPE = "person_out_of_scope"


E = IntakeErrorCode

MESSAGES: dict[IntakeErrorCode, StrOrPromise] = {
    E.FILE_TOO_LARGE: _("Berkas terlalu besar: %(size)s MB, batasnya %(limit)s MB."),
    E.FILE_EMPTY: _("Berkas kosong."),
    E.TOO_MANY_ROWS: _("Berkas berisi lebih dari %(limit)s baris. Bagi menjadi beberapa berkas."),
    E.UNKNOWN_EXTENSION: _("Jenis berkas tidak didukung. Unggah berkas .xlsx atau .csv."),
    E.NOT_CSV: _("Berkas ini bukan CSV (isinya biner). Periksa jenis berkasnya."),
    E.NOT_XLSX: _("Berkas ini bukan Excel .xlsx walaupun namanya berakhiran .xlsx."),
    E.XLS_OLD_FORMAT: _(
        "Format Excel lama (.xls) tidak didukung. Buka di Excel lalu simpan sebagai .xlsx."
    ),
    E.PASSWORD_PROTECTED: _(
        "Berkas Excel ini dilindungi kata sandi. Buka di Excel, hapus kata sandinya, "
        "lalu unggah ulang."
    ),
    E.TRUNCATED: _("Berkas rusak atau terpotong (unggahan tidak lengkap?). Unggah ulang."),
    E.ZIP_BOMB: _("Isi berkas Excel ini tidak wajar besarnya dibanding ukuran berkasnya; ditolak."),
    E.SHEET_NOT_FOUND: _("Lembar “%(sheet)s” tidak ada. Lembar yang ada: %(sheets)s."),
    E.NO_HEADER: _("Baris pertama harus berisi judul kolom."),
    E.NO_NIK_COLUMN: _("Tidak ada kolom NIK yang dikenali. Tandai kolom NIK pada pemetaan kolom."),
    E.NO_NAME_COLUMN: _("Tidak ada kolom nama yang dikenali. Tandai kolom nama lengkap."),
    E.MAPPING_DUPLICATE: _("Isian “%(field)s” dipetakan ke lebih dari satu kolom."),
    E.MAPPING_UNKNOWN_FIELD: _("Isian “%(field)s” tidak dikenal."),
    E.SOURCE_REQUIRED: _("Sebutkan nama pengirim berkas."),
    E.JOB_NOT_RESUMABLE: _("Impor ini tidak dapat dilanjutkan (status: %(status)s)."),
    E.CHANGE_ALREADY_DECIDED: _("Usulan perubahan ini sudah diputuskan."),
    E.PERMISSION_DENIED: _("Anda tidak berwenang melakukan ini."),
    E.ROW_COLUMNS: _("Jumlah kolom baris ini %(found)s, seharusnya %(expected)s."),
    E.NAME_MISSING: _("Nama kosong."),
    E.NAME_TOO_LONG: _("Nama lebih dari 150 karakter."),
    E.BIRTH_DATE_UNREADABLE: _("Tanggal lahir “%(value)s” tidak terbaca."),
    E.SEX_UNREADABLE: _("Jenis kelamin “%(value)s” tidak terbaca (isi L atau P)."),
    E.ADDRESS_MISSING: _("Alamat kosong."),
    E.REGION_MISSING: _("Kelurahan/desa kosong."),
    E.REGION_NOT_FOUND: _("Kelurahan/desa “%(value)s” tidak ditemukan di wilayah itu."),
    E.REGION_AMBIGUOUS: _(
        "Kelurahan/desa “%(value)s” ada di beberapa wilayah; isi kecamatan dan kota."
    ),
    E.REGION_OUT_OF_SCOPE: _("Alamat di luar wilayah kerja Anda."),
    E.BUSINESS_NAME_MISSING: _("Nama usaha kosong."),
    E.MONEY_UNREADABLE: _("Nilai rupiah “%(value)s” pada %(field)s tidak terbaca."),
    E.NUMBER_UNREADABLE: _("Angka “%(value)s” pada %(field)s tidak terbaca."),
    E.DUPLICATE_IN_FILE: _("Duplikat dalam berkas: NIK sama dengan baris %(row)s."),
    E.PERSON_OUT_OF_SCOPE: _("NIK ini sudah terdaftar di luar wilayah kerja Anda."),
}


class IntakeError(CodedError[IntakeErrorCode]):
    """A file-level refusal: nothing of the file is imported."""

    messages = MESSAGES


def row_message(code: str, /, **params: object) -> str:
    """The Indonesian reason for a row-level code, from intake's table or the registry's."""
    if code in IntakeErrorCode.__members__.values():
        text = MESSAGES[IntakeErrorCode(code)]
    else:
        text = REGISTRY_MESSAGES[RegistryErrorCode(code)]
    return str(text) % params if params else str(text)
