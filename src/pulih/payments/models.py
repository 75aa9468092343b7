"""Benefits that follow an approved decision: cash payments through banks (batches, transfer
lines, return files) and goods handed over in person. The database holds the money rules:
one benefit per person per round, and a transfer paid at most once.

State changes (pulih.payments.services is the only writer):

    payment   committed -> sent -> paid | failed;  failed -> sent (a follow-up batch);
              sent -> committed | failed (its batch cancelled before the bank answered);
              committed | failed -> cancelled (an amendment removes the recipient)
    line      pending -> paid | failed | cancelled
    batch     generated -> partial -> reconciled;  generated -> cancelled
    handover  pending -> handed_over | cancelled
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    COMMITTED = "committed", _("Menunggu penyaluran")
    SENT = "sent", _("Dikirim ke bank")
    PAID = "paid", _("Sudah dibayar")
    FAILED = "failed", _("Gagal dibayar")
    CANCELLED = "cancelled", _("Dibatalkan")


class Payment(models.Model):
    """The cash one recipient is owed from one round. Never two for the same person and round.

    No index holds `status`: a return file moves half a million payments at once, and on
    PostgreSQL an update that changes no indexed column stays on its page (a HOT update, the
    table is kept half empty for it: migration 0003) instead of touching every index. The
    queues are read through unique (round, person), the round's rows in one walk.
    """

    # No index of its own: unique (round, person) starts with it.
    round = models.ForeignKey(
        "programmes.Round", on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    # The person after identity resolution (a merged duplicate points at the kept person).
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="payments")
    application = models.OneToOneField(
        "programmes.Application", on_delete=models.PROTECT, related_name="payment"
    )
    decision = models.ForeignKey(
        "programmes.Decision", on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    amount = models.BigIntegerField()
    bank = models.CharField(max_length=20)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.COMMITTED
    )
    failure_reason = models.CharField(max_length=300, blank=True)
    # What an officer changed after a failure (account corrected, another bank), for the next try.
    fix_note = models.CharField(max_length=300, blank=True, db_default="")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="payment_once_per_person"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="payment_paid_has_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id} {self.amount}"

    @property
    def reference(self) -> str:
        return payment_reference(self.pk)


PAYMENT_REFERENCE_PREFIX = "PLH"


def payment_reference(payment_id: int) -> str:
    """The payment's own reference in transfer files: the same in every batch it is sent in, so
    the bank and the officer can follow one recipient across follow-ups."""
    return f"{PAYMENT_REFERENCE_PREFIX}{payment_id:010d}"


class BatchStatus(models.TextChoices):
    GENERATED = "generated", _("Berkas dibuat")
    PARTIAL = "partial", _("Sebagian dijawab bank")
    RECONCILED = "reconciled", _("Sudah direkonsiliasi")
    CANCELLED = "cancelled", _("Dibatalkan")


class Batch(models.Model):
    """One transfer file for one bank. A follow-up batch re-sends the payments that failed.

    The rows are the truth; the CSV and XLSX files are written from them after they commit and
    can be written again, byte for byte (their SHA-256 is kept here). Empty hashes mean the
    files are still to be written (a process stopped between the two steps).
    """

    round = models.ForeignKey("programmes.Round", on_delete=models.PROTECT, related_name="batches")
    bank = models.CharField(max_length=20)
    number = models.PositiveIntegerField()  # 1, 2, ... within the round and bank
    attempt = models.PositiveSmallIntegerField(default=1)  # 1: first sending; 2+: follow-ups
    reference = models.CharField(max_length=40, unique=True)  # printed in the file: batch id
    # The narrowest region holding every recipient of the batch: who may see its NIKs.
    region_code = models.CharField(max_length=13, default="")
    control_count = models.PositiveIntegerField()
    control_total = models.BigIntegerField()
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.GENERATED
    )
    csv_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    # The confirmation form's one-time key: a second click on "generate" finds this batch.
    request_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    paid_count = models.PositiveIntegerField(default=0)
    paid_total = models.BigIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    failed_total = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["round", "bank", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "bank", "number"], name="batch_number_once"),
            models.UniqueConstraint(
                fields=["request_key"], condition=~Q(request_key=""), name="batch_request_once"
            ),
            models.CheckConstraint(
                condition=Q(control_count__gt=0) & Q(control_total__gt=0),
                name="batch_not_empty",
            ),
            # What the bank answered never exceeds what the file asked for.
            models.CheckConstraint(
                condition=Q(paid_count__gte=0)
                & Q(failed_count__gte=0)
                & Q(paid_total__gte=0)
                & Q(failed_total__gte=0)
                & Q(control_count__gte=F("paid_count") + F("failed_count"))
                & Q(control_total__gte=F("paid_total") + F("failed_total")),
                name="batch_returns_within_control",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="batch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu jawaban bank")
    PAID = "paid", _("Dibayar")
    FAILED = "failed", _("Gagal")
    CANCELLED = "cancelled", _("Dibatalkan")


class TransferLine(models.Model):
    """One payment in one batch. A payment is in at most one open line and paid by at most one
    (so at most once in a batch, whose lines all start open)."""

    # No index of its own: unique (batch, line_number) starts with it.
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines", db_index=False)
    line_number = models.PositiveIntegerField()
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="lines")
    attempt = models.PositiveSmallIntegerField(default=1)  # this payment's n-th sending
    amount = models.BigIntegerField()
    # What the file told the bank, as it was then: a later correction in the registry changes
    # neither the file already sent nor a copy of it written again.
    full_name = models.CharField(max_length=150)
    nik_ciphertext = models.TextField()
    status = models.CharField(max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING)
    bank_reference = models.CharField(max_length=60, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    # The return file that answered the line.
    return_import = models.ForeignKey(
        "ReturnImport", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip

    class Meta:
        ordering = ["batch", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_number"], name="line_number_once"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(status="pending"), name="line_one_open_per_payment"
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(status="paid"), name="line_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="line_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=LineStatus.values), name="line_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "cancelled"]) | Q(returned_at__isnull=False),
                name="line_returned_has_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line_number}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu diproses")
    RUNNING = "running", _("Sedang diproses")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ReturnImport(models.Model):
    """One bank return file uploaded for a batch, and what its reconciliation did.

    The same bytes for the same batch are imported once: a second upload finds this row
    (unique batch + sha256 unless the first attempt failed) and changes nothing.
    """

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="imports")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    error_message = models.CharField(max_length=500, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    paid_count = models.PositiveIntegerField(default=0)
    paid_total = models.BigIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    failed_total = models.BigIntegerField(default=0)
    already_count = models.PositiveIntegerField(default=0)  # answered before with the same outcome
    rejected_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0)  # lines still without an answer
    report_name = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)  # the latest run's start
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "sha256"], condition=~Q(status="failed"), name="return_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="return_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.original_name}"


class BatchDownload(models.Model):
    """Who downloaded a transfer file (full NIKs) and when."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="downloads")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    file_format = models.CharField(max_length=4)
    channel = models.CharField(max_length=8, default="web")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.file_format} {self.actor_id}"


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Belum diserahkan")
    HANDED_OVER = "handed_over", _("Sudah diserahkan")
    CANCELLED = "cancelled", _("Dibatalkan")


class Handover(models.Model):
    """Goods (a package, tools, food) for one recipient, handed over in person and recorded."""

    round = models.ForeignKey(
        "programmes.Round", on_delete=models.PROTECT, related_name="handovers"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="handovers"
    )
    application = models.OneToOneField(
        "programmes.Application", on_delete=models.PROTECT, related_name="handover"
    )
    decision = models.ForeignKey(
        "programmes.Decision", on_delete=models.PROTECT, related_name="handovers", db_index=False
    )
    value = models.BigIntegerField()
    items = models.JSONField(default=list)
    region_code = models.CharField(max_length=13)
    status = models.CharField(
        max_length=12, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    handed_at = models.DateField(null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    photo = models.CharField(max_length=64, blank=True)  # token of the re-encoded photo
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["region_code", "id"]
        indexes = [
            models.Index(fields=["round", "region_code", "id"], name="handover_round_region_idx")
        ]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="handover_once_per_person"),
            models.CheckConstraint(condition=Q(value__gt=0), name="handover_value_positive"),
            models.CheckConstraint(
                condition=~Q(status="handed_over")
                | Q(handed_at__isnull=False, handed_by__isnull=False),
                name="handover_done_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="handed_over") | ~Q(photo=""), name="handover_done_has_photo"
            ),
            models.CheckConstraint(
                condition=Q(status__in=HandoverStatus.values), name="handover_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"
