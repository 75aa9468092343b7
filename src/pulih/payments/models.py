"""Benefits that follow an approved decision: cash payments through banks (batches, transfer
lines, return files) and goods handed over in person. The database holds the money rules:
one benefit per person per round, and a transfer paid at most once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    COMMITTED = "committed", _("Menunggu penyaluran")
    SENT = "sent", _("Dikirim ke bank")
    PAID = "paid", _("Sudah dibayar")
    FAILED = "failed", _("Gagal dibayar")
    CANCELLED = "cancelled", _("Dibatalkan")


class Payment(models.Model):
    """The cash one recipient is owed from one round. Never two for the same person and round."""

    round = models.ForeignKey("programmes.Round", on_delete=models.PROTECT, related_name="payments")
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
        ]
        indexes = [models.Index(fields=["round", "status", "bank", "id"], name="payment_queue_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id} {self.amount}"


class BatchStatus(models.TextChoices):
    GENERATED = "generated", _("Berkas dibuat")
    RECONCILED = "reconciled", _("Sudah direkonsiliasi")


class Batch(models.Model):
    """One transfer file for one bank. A follow-up batch re-sends the payments that failed."""

    round = models.ForeignKey("programmes.Round", on_delete=models.PROTECT, related_name="batches")
    bank = models.CharField(max_length=20)
    number = models.PositiveIntegerField()  # 1, 2, ... within the round
    attempt = models.PositiveSmallIntegerField(default=1)  # 1: first sending; 2+: follow-ups
    reference = models.CharField(max_length=40, unique=True)  # printed in the file: batch id
    control_count = models.PositiveIntegerField()
    control_total = models.BigIntegerField()
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.GENERATED
    )
    csv_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
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
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="batch_number_once"),
        ]

    def __str__(self) -> str:
        return self.reference


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu jawaban bank")
    PAID = "paid", _("Dibayar")
    FAILED = "failed", _("Gagal")


class TransferLine(models.Model):
    """One payment in one batch. A payment is in at most one open line and paid by at most one."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="lines")
    amount = models.BigIntegerField()
    status = models.CharField(max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING)
    bank_reference = models.CharField(max_length=60, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_number"], name="line_number_once"),
            models.UniqueConstraint(fields=["batch", "payment"], name="line_payment_once"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(status="pending"), name="line_one_open_per_payment"
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(status="paid"), name="line_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line_number}"


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
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="handover_once_per_person"),
            models.CheckConstraint(condition=Q(value__gt=0), name="handover_value_positive"),
            models.CheckConstraint(
                condition=~Q(status="handed_over")
                | Q(handed_at__isnull=False, handed_by__isnull=False),
                name="handover_done_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"
