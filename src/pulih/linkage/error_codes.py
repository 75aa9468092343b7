"""Why a linkage action was refused, with the Indonesian message an officer reads."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from pulih.errors import CodedError


class LinkageErrorCode(StrEnum):
    PERMISSION_DENIED = "permission_denied"
    SOURCE_REQUIRED = "source_required"
    LIST_NO_COLUMNS = "list_no_columns"
    LIST_NO_ROWS = "list_no_rows"
    ALREADY_DECIDED = "already_decided"
    OUTCOME_NOT_ALLOWED = "outcome_not_allowed"
    REASON_REQUIRED = "reason_required"
    KEEP_REQUIRED = "keep_required"
    PERSON_ALREADY_MERGED = "person_already_merged"
    RUN_IN_PROGRESS = "run_in_progress"


E = LinkageErrorCode

MESSAGES = {
    E.PERMISSION_DENIED: _("Anda tidak berwenang melakukan tindakan ini."),
    E.SOURCE_REQUIRED: _("Sumber daftar wajib diisi."),
    E.LIST_NO_COLUMNS: _(
        "Berkas tidak punya kolom NIK, atau kolom nama dan tanggal lahir: "
        "daftar penyaring butuh salah satunya."
    ),
    E.LIST_NO_ROWS: _(
        "Tidak ada baris yang bisa dipakai: setiap baris butuh NIK yang sah, "
        "atau nama dan tanggal lahir."
    ),
    E.ALREADY_DECIDED: _("Pasangan ini sudah diputuskan oleh %(user)s."),
    E.OUTCOME_NOT_ALLOWED: _("Keputusan itu tidak berlaku untuk pasangan jenis ini."),
    E.REASON_REQUIRED: _("Alasan keputusan wajib diisi."),
    E.KEEP_REQUIRED: _("Pilih data mana yang dipertahankan saat digabung."),
    E.PERSON_ALREADY_MERGED: _("Salah satu data sudah digabung ke data lain."),
    E.RUN_IN_PROGRESS: _("Pencocokan yang sama sedang berjalan; tunggu sampai selesai."),
}


class LinkageError(CodedError[LinkageErrorCode]):
    messages = MESSAGES
