"""Proposer-list imports: the job, the sender's column template, provenance and proposed changes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceTemplate(models.Model):
    """How one sender's files are laid out: which column holds which field, and which sheet."""

    name = models.CharField(_("nama pengirim"), max_length=120, unique=True)
    mapping = models.JSONField(default=dict)  # header text -> field key ("" = ignore)
    sheet = models.CharField(max_length=120, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("templat pengirim")

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    MAPPING = "mapping", _("Menunggu pemetaan kolom")
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Sedang diproses")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class JobPhase(models.TextChoices):
    WAITING = "waiting", _("Menunggu")
    READING = "reading", _("Membaca berkas")
    CHECKING = "checking", _("Memeriksa baris")
    MERGING = "merging", _("Menggabungkan ke registri")
    REPORTING = "reporting", _("Menyusun laporan")
    FINISHED = "finished", _("Selesai")


COUNT_FIELDS = (
    "rows_read",
    "rows_accepted",
    "rows_created",
    "rows_updated",
    "rows_unchanged",
    "rows_rejected",
    "rows_duplicate",
    "changes_proposed",
)


class IntakeJob(models.Model):
    """One uploaded file on its way into the registry.

    The merge commits in chunks; `rows_merged` moves in the same transaction as each chunk's
    writes, so a worker killed at any point resumes exactly where the database says it stopped.
    """

    source = models.ForeignKey(
        SourceTemplate, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("pengirim")
    )
    original_name = models.CharField(_("nama berkas"), max_length=255)
    file_format = models.CharField(max_length=5)  # csv | xlsx
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    sheet = models.CharField(_("lembar"), max_length=120, blank=True)
    headers = models.JSONField(default=list)
    # The first rows and the workbook's sheets, kept for the mapping screen: a 500,000-row
    # sheet takes seconds to parse even for five rows.
    sample = models.JSONField(default=list)
    sheets = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.MAPPING)
    phase = models.CharField(max_length=10, choices=JobPhase.choices, default=JobPhase.WAITING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_merged = models.PositiveIntegerField(default=0)  # accepted rows merged so far (checkpoint)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    changes_proposed = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("impor berkas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="intake_job_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.pk})"

    @property
    def percent(self) -> int:
        """Progress for the bar: reading and checking count for the first fifth, merging for the rest."""
        if self.status == JobStatus.DONE:
            return 100
        if self.phase in (JobPhase.WAITING, JobPhase.READING):
            return 2
        if self.phase == JobPhase.CHECKING:
            return 10
        if self.phase == JobPhase.REPORTING:
            return 98
        if self.rows_accepted:
            return 20 + int(78 * self.rows_merged / self.rows_accepted)
        return 20

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}


class Outcome(models.TextChoices):
    CREATED = "created", _("Dibuat")
    UPDATED = "updated", _("Diperbarui")
    UNCHANGED = "unchanged", _("Tidak berubah")
    PROPOSED = "proposed", _("Usulan perubahan")


class IntakeRecord(models.Model):
    """Provenance: which file and row a merged person and business came from or were touched by."""

    # Both leading columns of a composite index below; a separate index each would only slow
    # the half-million-row inserts.
    job = models.ForeignKey(
        IntakeJob, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    row_number = models.PositiveIntegerField()  # as the sender sees it in the file (header = 1)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="intake_records", db_index=False
    )
    business = models.ForeignKey(
        "registry.Business", on_delete=models.PROTECT, related_name="intake_records"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="intake_record_row_once"),
        ]
        indexes = [models.Index(fields=["person", "job"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu keputusan")
    ACCEPTED = "accepted", _("Diterima")
    DISMISSED = "dismissed", _("Diabaikan")


class ProposedChange(models.Model):
    """A value from a file that differs from verified data: kept for an officer, never applied silently."""

    job = models.ForeignKey(IntakeJob, on_delete=models.PROTECT, related_name="proposed_changes")
    row_number = models.PositiveIntegerField()
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="proposed_changes"
    )
    business = models.ForeignKey(
        "registry.Business",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposed_changes",
    )
    # "person" or "business:<id>": which record `field` belongs to (unique with the value).
    target = models.CharField(max_length=30)
    field = models.CharField(max_length=40)
    # Phone numbers are personal data: held encrypted like the registry holds them.
    current_value = models.TextField(blank=True)
    proposed_value = models.TextField()
    # Equal values hash equally, so re-importing a file proposes nothing new.
    value_key = models.CharField(max_length=64)
    region_code = models.CharField(max_length=13)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("usulan perubahan")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "target", "field", "value_key"],
                condition=models.Q(status="pending"),
                name="proposed_change_pending_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "region_code", "id"])]

    def __str__(self) -> str:
        return f"{self.person_id}.{self.field}"
