"""Why a disbursement action, a return file or one of its rows was refused, in Indonesian."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from pulih.errors import CodedError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PaymentErrorCode(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    NOT_A_CASH_ROUND = "not_a_cash_round"
    NOT_A_GOODS_ROUND = "not_a_goods_round"
    BANK_UNKNOWN = "bank_unknown"
    NOTHING_TO_BATCH = "nothing_to_batch"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    PAYMENT_NOT_FAILED = "payment_not_failed"
    BATCH_RETURNED = "batch_returned"
    BATCH_CANCELLED = "batch_cancelled"
    FILES_CHANGED = "files_changed"
    REASON_REQUIRED = "reason_required"
    IMPORT_NOT_RESUMABLE = "import_not_resumable"
    NOTE_REQUIRED = "note_required"
    HANDOVER_DATE_IN_FUTURE = "handover_date_in_future"
    HANDOVER_DATE_BEFORE_ROUND = "handover_date_before_round"
    PHOTO_REQUIRED = "photo_required"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_NOT_IMAGE = "photo_not_image"
    # the return file as a whole
    RETURN_COLUMNS_MISSING = "return_columns_missing"
    RETURN_WRONG_BATCH = "return_wrong_batch"
    # one row of a return file
    ROW_COLUMNS = "row_columns"
    ROW_OTHER_BATCH = "row_other_batch"
    ROW_NO_LINE = "row_no_line"
    ROW_LINE_UNKNOWN = "row_line_unknown"
    ROW_LINE_REFERENCE_MISMATCH = "row_line_reference_mismatch"
    ROW_DUPLICATE = "row_duplicate"
    ROW_AMOUNT_UNREADABLE = "row_amount_unreadable"
    ROW_AMOUNT_MISMATCH = "row_amount_mismatch"
    ROW_STATUS_UNKNOWN = "row_status_unknown"
    ROW_ALREADY_OTHER_OUTCOME = "row_already_other_outcome"
    ROW_LINE_CANCELLED = "row_line_cancelled"


E = PaymentErrorCode

MESSAGES: dict[PaymentErrorCode, StrOrPromise] = {
    E.PERMISSION_DENIED: _("Anda tidak berwenang melakukan ini."),
    E.NOT_A_CASH_ROUND: _("Putaran ini tidak menyalurkan uang melalui bank."),
    E.NOT_A_GOODS_ROUND: _("Putaran ini tidak menyalurkan barang."),
    E.BANK_UNKNOWN: _("Bank “%(bank)s” bukan bank penyalur putaran ini (%(banks)s)."),
    E.NOTHING_TO_BATCH: _("Tidak ada pembayaran %(bank)s yang menunggu dikirim ke bank."),
    E.TRANSITION_NOT_ALLOWED: _("Status tidak dapat diubah dari %(old)s ke %(new)s."),
    E.PAYMENT_NOT_FAILED: _(
        "Hanya pembayaran yang gagal dibayar yang dapat diperbaiki (status sekarang: %(status)s)."
    ),
    E.BATCH_RETURNED: _(
        "Batch ini sudah dijawab bank (%(answered)s baris); batch tidak dapat dibatalkan."
    ),
    E.BATCH_CANCELLED: _("Batch %(reference)s sudah dibatalkan."),
    E.FILES_CHANGED: _(
        "Berkas batch %(reference)s yang ditulis ulang berbeda dari yang pertama; "
        "data batch berubah. Hubungi administrator."
    ),
    E.REASON_REQUIRED: _("Alasan wajib diisi."),
    E.IMPORT_NOT_RESUMABLE: _(
        "Berkas balikan ini tidak perlu diproses ulang (status: %(status)s)."
    ),
    E.NOTE_REQUIRED: _("Tuliskan apa yang diperbaiki."),
    E.HANDOVER_DATE_IN_FUTURE: _("Tanggal serah terima tidak boleh setelah hari ini."),
    E.HANDOVER_DATE_BEFORE_ROUND: _(
        "Tanggal serah terima tidak boleh sebelum putaran dibuka (%(opens)s)."
    ),
    E.PHOTO_REQUIRED: _("Foto serah terima wajib diunggah."),
    E.PHOTO_TOO_LARGE: _("Foto terlalu besar (maksimal %(max_mb)s MB)."),
    E.PHOTO_NOT_IMAGE: _("Berkas ini bukan foto yang dapat dibaca (unggah JPG atau PNG)."),
    E.RETURN_COLUMNS_MISSING: _(
        "Kolom berikut tidak ditemukan di berkas balikan: %(missing)s. "
        "Judul kolom yang dikenali: %(known)s."
    ),
    E.RETURN_WRONG_BATCH: _(
        "Berkas balikan ini untuk batch %(found)s, bukan batch %(expected)s. "
        "Unggah di halaman batch yang benar."
    ),
    E.ROW_COLUMNS: _("Jumlah kolom baris ini %(found)s, seharusnya %(expected)s."),
    E.ROW_OTHER_BATCH: _("Baris ini untuk batch “%(found)s”, bukan %(expected)s."),
    E.ROW_NO_LINE: _("Nomor baris dan referensi pembayaran kosong atau tidak terbaca."),
    E.ROW_LINE_UNKNOWN: _("Baris/referensi “%(value)s” tidak ada di batch %(batch)s."),
    E.ROW_LINE_REFERENCE_MISMATCH: _(
        "Nomor baris %(line)s dan referensi pembayaran %(reference)s tidak cocok "
        "(baris %(line)s adalah %(expected)s)."
    ),
    E.ROW_DUPLICATE: _(
        "Baris batch %(line)s muncul lebih dari sekali di berkas (baris berkas %(rows)s); "
        "tidak ada yang diproses."
    ),
    E.ROW_AMOUNT_UNREADABLE: _("Nominal “%(value)s” tidak terbaca."),
    E.ROW_AMOUNT_MISMATCH: _(
        "Nominal Rp%(found)s tidak sama dengan nominal di batch (Rp%(expected)s)."
    ),
    E.ROW_STATUS_UNKNOWN: _(
        "Status “%(value)s” tidak dikenal (contoh: BERHASIL, SUKSES, GAGAL, DITOLAK)."
    ),
    E.ROW_ALREADY_OTHER_OUTCOME: _(
        "Baris batch %(line)s sudah tercatat %(old)s; berkas ini menyatakan %(new)s."
    ),
    E.ROW_LINE_CANCELLED: _("Baris batch %(line)s sudah dibatalkan."),
}


class PaymentError(CodedError[PaymentErrorCode]):
    messages = MESSAGES

    def __str__(self) -> str:
        return self.message


def row_message(code: PaymentErrorCode, /, **params: object) -> str:
    text = str(MESSAGES[code])
    return text % params if params else text


def rupiah(amount: int) -> str:
    """1200000 -> "1.200.000" (Indonesian thousands separator, no minor unit)."""
    return f"{amount:,}".replace(",", ".")
