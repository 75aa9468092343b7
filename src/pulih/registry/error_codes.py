"""Error codes for registry checks, each with the Indonesian message shown to people."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from pulih.errors import CodedError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RegistryErrorCode(StrEnum):
    # Identifiers
    NIK_EMPTY = "nik_empty"
    NIK_NOT_DIGITS = "nik_not_digits"
    NIK_WRONG_LENGTH = "nik_wrong_length"
    NIK_UNKNOWN_DISTRICT = "nik_unknown_district"
    NIK_INVALID_DATE = "nik_invalid_date"
    NIK_ZERO_SERIAL = "nik_zero_serial"
    NIK_BIRTH_DATE_MISMATCH = "nik_birth_date_mismatch"
    NIK_SEX_MISMATCH = "nik_sex_mismatch"
    BIRTH_DATE_IN_FUTURE = "birth_date_in_future"
    BIRTH_DATE_TOO_OLD = "birth_date_too_old"
    NIB_WRONG_FORMAT = "nib_wrong_format"
    PHONE_EMPTY = "phone_empty"
    PHONE_INVALID = "phone_invalid"
    SIZE_NO_FIGURES = "size_no_figures"
    SIZE_NEGATIVE_AMOUNT = "size_negative_amount"
    SIZE_ABOVE_MENENGAH = "size_above_menengah"
    # Registry workflow
    NIK_ALREADY_REGISTERED = "nik_already_registered"
    PERSON_ALREADY_EXISTS = "person_already_exists"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    REASON_REQUIRED = "reason_required"
    NOT_EDITABLE = "not_editable"
    REGION_NOT_VILLAGE = "region_not_village"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_NOT_IMAGE = "photo_not_image"
    TOO_MANY_PHOTOS = "too_many_photos"
    PERMISSION_DENIED = "permission_denied"
    FIELD_REQUIRED = "field_required"
    FIELD_TOO_LONG = "field_too_long"
    AMOUNT_NEGATIVE = "amount_negative"
    KBLI_UNKNOWN = "kbli_unknown"
    EKRAF_UNKNOWN = "ekraf_unknown"
    CHOICE_INVALID = "choice_invalid"


# Lazy strings, so each is translated when rendered, not when this module is imported.
MESSAGES: dict[RegistryErrorCode, StrOrPromise] = {
    RegistryErrorCode.FIELD_REQUIRED: _("%(field)s wajib diisi."),
    RegistryErrorCode.FIELD_TOO_LONG: _("%(field)s terlalu panjang: maksimum %(max)s karakter."),
    RegistryErrorCode.AMOUNT_NEGATIVE: _("%(field)s tidak boleh negatif."),
    RegistryErrorCode.KBLI_UNKNOWN: _("Kategori KBLI %(code)s tidak dikenal."),
    RegistryErrorCode.EKRAF_UNKNOWN: _("Subsektor ekonomi kreatif %(code)s tidak dikenal."),
    RegistryErrorCode.CHOICE_INVALID: _("Pilihan %(value)s untuk %(field)s tidak sah."),
    RegistryErrorCode.NIK_EMPTY: _("NIK wajib diisi."),
    RegistryErrorCode.NIK_NOT_DIGITS: _("NIK hanya boleh berisi angka."),
    RegistryErrorCode.NIK_WRONG_LENGTH: _("NIK harus 16 digit angka; yang diisi %(length)s digit."),
    RegistryErrorCode.NIK_UNKNOWN_DISTRICT: _(
        "Kode wilayah %(code)s pada NIK tidak dikenal sebagai kecamatan."
    ),
    RegistryErrorCode.NIK_INVALID_DATE: _(
        "Tanggal lahir pada NIK (digit ke-7 sampai ke-12) bukan tanggal yang sah."
    ),
    RegistryErrorCode.NIK_ZERO_SERIAL: _("Empat digit terakhir NIK tidak boleh 0000."),
    RegistryErrorCode.NIK_BIRTH_DATE_MISMATCH: _(
        "Tanggal lahir tidak sesuai dengan tanggal lahir yang tercantum pada NIK."
    ),
    RegistryErrorCode.NIK_SEX_MISMATCH: _(
        "Jenis kelamin tidak sesuai dengan jenis kelamin yang tercantum pada NIK."
    ),
    RegistryErrorCode.BIRTH_DATE_IN_FUTURE: _("Tanggal lahir tidak boleh di masa depan."),
    RegistryErrorCode.BIRTH_DATE_TOO_OLD: _("Tanggal lahir tidak boleh sebelum tahun 1900."),
    RegistryErrorCode.NIB_WRONG_FORMAT: _("NIB harus 13 digit angka."),
    RegistryErrorCode.PHONE_EMPTY: _("Nomor telepon wajib diisi."),
    RegistryErrorCode.PHONE_INVALID: _(
        "Nomor telepon tidak sah. Contoh yang benar: 0812-3456-7890 atau +62 812 3456 7890."
    ),
    RegistryErrorCode.SIZE_NO_FIGURES: _(
        "Isi modal usaha atau hasil penjualan tahunan untuk menentukan skala usaha."
    ),
    RegistryErrorCode.SIZE_NEGATIVE_AMOUNT: _(
        "Modal usaha dan hasil penjualan tahunan tidak boleh negatif."
    ),
    RegistryErrorCode.SIZE_ABOVE_MENENGAH: _(
        "Modal usaha di atas Rp10 miliar atau penjualan tahunan di atas Rp50 miliar "
        "termasuk usaha besar, bukan UMKM."
    ),
    # Says nothing about the existing record: the form is public and a NIK alone
    # must not let anyone learn who registered it.
    RegistryErrorCode.NIK_ALREADY_REGISTERED: _(
        "NIK ini sudah terdaftar. Silakan hubungi dinas untuk bantuan."
    ),
    RegistryErrorCode.PERSON_ALREADY_EXISTS: _(
        "Akun Anda sudah memiliki data pemilik usaha. Ubah data yang ada, jangan mendaftar ulang."
    ),
    RegistryErrorCode.TRANSITION_NOT_ALLOWED: _(
        "Status %(from)s tidak dapat diubah menjadi %(to)s."
    ),
    RegistryErrorCode.REASON_REQUIRED: _("Alasan wajib diisi untuk perubahan status ini."),
    RegistryErrorCode.NOT_EDITABLE: _("Data ini tidak dapat diubah lagi pada status sekarang."),
    RegistryErrorCode.REGION_NOT_VILLAGE: _("Pilih wilayah sampai tingkat kelurahan/desa."),
    RegistryErrorCode.PHOTO_TOO_LARGE: _("Foto terlalu besar: maksimum %(max_mb)s MB."),
    RegistryErrorCode.PHOTO_NOT_IMAGE: _("Berkas bukan gambar. Unggah foto JPEG atau PNG."),
    RegistryErrorCode.TOO_MANY_PHOTOS: _(
        "Jumlah foto sudah mencapai batas: maksimum %(max)s foto."
    ),
    RegistryErrorCode.PERMISSION_DENIED: _("Anda tidak berwenang melakukan tindakan ini."),
}


class RegistryError(CodedError[RegistryErrorCode]):
    """A refused input or action, carrying a code that callers and tests match on."""

    # "from" is a keyword, so TRANSITION_NOT_ALLOWED takes **{"from": ..., "to": ...}.
    messages = MESSAGES

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"RegistryError({self.code!s}, {self.params!r})"
