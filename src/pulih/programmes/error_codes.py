"""Why a programme action was refused, each with the Indonesian message people read."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from pulih.errors import CodedError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ProgrammeErrorCode(StrEnum):
    # the definition file
    DEFINITION_SYNTAX = "definition_syntax"
    DEFINITION_MISSING = "definition_missing"
    DEFINITION_TYPE = "definition_type"
    DEFINITION_UNKNOWN_KEY = "definition_unknown_key"
    DEFINITION_UNKNOWN_KIND = "definition_unknown_kind"
    DEFINITION_UNKNOWN_CHECK = "definition_unknown_check"
    DEFINITION_BAD_VALUE = "definition_bad_value"
    DEFINITION_DUPLICATE = "definition_duplicate"
    DEFINITION_CODE_CHANGED = "definition_code_changed"
    PROGRAMME_EXISTS = "programme_exists"
    DEFINITION_ROUND_LOCKED = "definition_round_locked"
    # applications
    ROUND_NOT_OPEN = "round_not_open"
    ALREADY_APPLIED = "already_applied"
    BUSINESS_NOT_OWNED = "business_not_owned"
    DECLARATION_MISSING = "declaration_missing"
    DECLARATION_BAD = "declaration_bad"
    BANK_UNKNOWN = "bank_unknown"
    INTAKE_NOT_DONE = "intake_not_done"
    # decisions
    PERMISSION_DENIED = "permission_denied"
    OUTSIDE_REGION = "outside_region"
    NOTHING_TO_DECIDE = "nothing_to_decide"
    DECISION_PENDING = "decision_pending"
    DECISION_NOT_PROPOSED = "decision_not_proposed"
    MAKER_CANNOT_CHECK = "maker_cannot_check"
    OVER_BUDGET = "over_budget"
    NO_APPROVED_DECISION = "no_approved_decision"
    NOT_EVALUATED = "not_evaluated"
    REASON_REQUIRED = "reason_required"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    # appeals
    APPEAL_NOT_ALLOWED = "appeal_not_allowed"
    APPEAL_WINDOW_CLOSED = "appeal_window_closed"
    APPEAL_OPEN = "appeal_open"
    APPEAL_DECIDED = "appeal_decided"


E = ProgrammeErrorCode

MESSAGES: dict[ProgrammeErrorCode, StrOrPromise] = {
    E.DEFINITION_SYNTAX: _("Berkas definisi tidak dapat dibaca: %(detail)s"),
    E.DEFINITION_MISSING: _("%(where)s: isian “%(key)s” wajib ada."),
    E.DEFINITION_TYPE: _("%(where)s: isian “%(key)s” harus berupa %(expected)s."),
    E.DEFINITION_UNKNOWN_KEY: _("%(where)s: isian “%(key)s” tidak dikenal."),
    E.DEFINITION_UNKNOWN_KIND: _("Jenis program “%(kind)s” tidak dikenal. Pilihan: %(choices)s."),
    E.DEFINITION_UNKNOWN_CHECK: _(
        "%(where)s: pemeriksaan “%(check)s” tidak dikenal. Pilihan: %(choices)s."
    ),
    E.DEFINITION_BAD_VALUE: _("%(where)s: %(detail)s"),
    E.DEFINITION_DUPLICATE: _("%(where)s: kode “%(code)s” dipakai lebih dari sekali."),
    E.DEFINITION_CODE_CHANGED: _(
        "Kode program tidak boleh diubah (tersimpan: %(old)s, di berkas: %(new)s)."
    ),
    E.PROGRAMME_EXISTS: _(
        "Kode program “%(code)s” sudah dipakai. Untuk mengubah program itu, buka halamannya "
        "lalu pilih “Ubah definisi”."
    ),
    E.DEFINITION_ROUND_LOCKED: _(
        "Putaran “%(round)s” sudah punya penetapan; nilai, anggaran dan bank tidak dapat diubah."
    ),
    E.ROUND_NOT_OPEN: _("Putaran ini tidak sedang menerima pengajuan (%(opens)s s.d. %(closes)s)."),
    E.ALREADY_APPLIED: _("Orang ini sudah diajukan pada putaran ini."),
    E.BUSINESS_NOT_OWNED: _("Usaha ini bukan milik orang yang diajukan."),
    E.DECLARATION_MISSING: _("%(label)s wajib diisi."),
    E.DECLARATION_BAD: _("%(label)s tidak sah: %(value)s."),
    E.BANK_UNKNOWN: _("Bank “%(bank)s” bukan bank penyalur putaran ini (%(banks)s)."),
    E.INTAKE_NOT_DONE: _("Impor ini belum selesai."),
    E.PERMISSION_DENIED: _("Anda tidak berwenang melakukan ini."),
    E.OUTSIDE_REGION: _(
        "Daftar ini memuat penerima di %(region)s, di luar wilayah kewenangan Anda; "
        "penetapannya oleh petugas dan kepala bidang yang berwenang atas seluruh wilayah itu."
    ),
    E.NOTHING_TO_DECIDE: _("Tidak ada perubahan penerima untuk ditetapkan."),
    E.DECISION_PENDING: _("Masih ada penetapan yang menunggu persetujuan pada putaran ini."),
    E.DECISION_NOT_PROPOSED: _("Penetapan ini sudah diputuskan (%(status)s)."),
    E.MAKER_CANNOT_CHECK: _("Penetapan harus disetujui oleh orang lain, bukan penyusunnya."),
    E.OVER_BUDGET: _(
        "Anggaran tidak cukup: sudah dialokasikan Rp%(committed)s dari pagu Rp%(budget)s, "
        "penetapan ini menambah Rp%(amount)s."
    ),
    E.NO_APPROVED_DECISION: _("Belum ada penetapan yang disetujui pada putaran ini."),
    E.NOT_EVALUATED: _("Pengajuan belum diperiksa kelayakannya."),
    E.REASON_REQUIRED: _("Alasan wajib diisi."),
    E.TRANSITION_NOT_ALLOWED: _("Status tidak dapat diubah dari %(old)s ke %(new)s."),
    E.APPEAL_NOT_ALLOWED: _("Hanya pengajuan yang tidak memenuhi syarat yang dapat disanggah."),
    E.APPEAL_WINDOW_CLOSED: _("Masa sanggah sudah berakhir pada %(deadline)s."),
    E.APPEAL_OPEN: _("Sanggahan sebelumnya masih diperiksa."),
    E.APPEAL_DECIDED: _("Sanggahan ini sudah diputuskan."),
}


class ProgrammeError(CodedError[ProgrammeErrorCode]):
    messages = MESSAGES

    def __str__(self) -> str:
        return self.message
