"""Screening lists, linkage runs, the review queue and its decisions, and merges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """The auditor's categories (DOMAIN.md) that a reference list can stop."""

    ASN = "asn", _("ASN (pegawai negeri)")
    TNI = "tni", _("TNI")
    POLRI = "polri", _("Polri")
    BUMN = "bumn", _("Pegawai BUMN")
    BUMD = "bumd", _("Pegawai BUMD")
    DECEASED = "deceased", _("Meninggal dunia")
    BANK_CREDIT = "bank_credit", _("Debitur kredit bank/KUR")
    ABROAD = "abroad", _("Pindah ke luar negeri")
    PRIOR_RECIPIENT = "prior_recipient", _("Penerima bantuan sebelumnya")
    CIVIL_REGISTRY = "civil_registry", _("Data kependudukan (Dukcapil)")


class ScreeningList(models.Model):
    """One version of a reference list from one source; a new file is a new version."""

    kind = models.CharField(_("jenis daftar"), max_length=20, choices=ListKind.choices)
    source = models.CharField(_("sumber"), max_length=150)
    as_of = models.DateField(_("tanggal data"))
    version = models.PositiveIntegerField()
    file_name = models.CharField(max_length=255, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a newer version of the same kind and source replaces this one.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "source", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "version"], name="screening_list_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.source} v{self.version}"


class ScreeningEntry(models.Model):
    """A person on a list. The NIK is held like the registry's: encrypted, with a blind index."""

    screening_list = models.ForeignKey(
        ScreeningList, on_delete=models.CASCADE, related_name="entries"
    )
    row_number = models.PositiveIntegerField()
    nik_hash = models.CharField(max_length=64, blank=True)
    nik_ciphertext = models.TextField(blank=True)
    nik_masked = models.CharField(max_length=16, blank=True)
    full_name = models.CharField(max_length=150, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    region_code = models.CharField(max_length=13, blank=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["screening_list", "nik_hash"], name="screening_entry_nik_idx")
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.nik_masked} ({self.screening_list_id}:{self.row_number})"


class RunKind(models.TextChoices):
    DEDUPE = "dedupe", _("Pencarian data ganda")
    SCREEN = "screen", _("Pencocokan daftar")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class LinkageRun(models.Model):
    kind = models.CharField(max_length=10, choices=RunKind.choices)
    screening_list = models.ForeignKey(
        ScreeningList, null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    candidates = models.PositiveIntegerField(default=0)
    exact_hits = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    model = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class CandidateKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Kemungkinan data ganda")
    LIST_HIT = "list_hit", _("Tercantum di daftar")
    SHARED_NIK = "shared_nik", _("Satu NIK dipakai orang berbeda")


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("Perlu diperiksa")
    DECIDED = "decided", _("Sudah diputuskan")
    # An exact NIK hit whose name agrees: stopped without waiting for an officer.
    CONFIRMED = "confirmed", _("Cocok otomatis (NIK sama)")


class Outcome(models.TextChoices):
    SAME_PERSON = "same_person", _("Orang yang sama")
    DIFFERENT_PEOPLE = "different_people", _("Orang berbeda")
    ON_LIST = "on_list", _("Tercantum di daftar")
    NOT_ON_LIST = "not_on_list", _("Tidak tercantum di daftar")


class MatchCandidate(models.Model):
    """A pair for the review queue: two registry persons, or a person and a list entry.

    `pair_key` names the pair independently of any run (sorted person ids; or person, list
    kind and the entry's NIK hash or name and birth date), so a re-run finds the decision
    already taken on it instead of asking again.
    """

    kind = models.CharField(max_length=12, choices=CandidateKind.choices)
    pair_key = models.CharField(max_length=200, unique=True)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="match_candidates"
    )
    other_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        ScreeningEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    list_kind = models.CharField(max_length=20, choices=ListKind.choices, blank=True)
    probability = models.FloatField()
    match_weight = models.FloatField(default=0.0)
    # [{"field": "name", "level": "similar", "text": "nama mirip: Djoko/Joko (ejaan lama)",
    #   "weight": 3.2}, ...]
    evidence = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="found")
    # False when the latest run of its kind no longer produced the pair (data changed).
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-probability", "id"]
        indexes = [
            models.Index(fields=["status", "kind", "id"], name="candidate_queue_idx"),
            models.Index(fields=["person", "list_kind"], name="candidate_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="list_hit", entry__isnull=False, other_person__isnull=True)
                    | (~models.Q(kind="list_hit") & models.Q(other_person__isnull=False))
                ),
                name="candidate_has_counterpart",
            )
        ]

    def __str__(self) -> str:
        return self.pair_key


class MatchDecision(models.Model):
    """An officer's decision on a pair, kept for good: re-runs look decisions up by pair_key."""

    candidate = models.ForeignKey(
        MatchCandidate, on_delete=models.CASCADE, related_name="decisions"
    )
    pair_key = models.CharField(max_length=200, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pair_key}: {self.outcome}"


class PersonMerge(models.Model):
    """Two registry persons confirmed to be one: the kept one takes the businesses and the
    records of the merged one; the merged row stays (with `merged_into` set) so its own
    history, audit trail and NIK remain readable."""

    kept = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="merges")
    merged = models.OneToOneField(
        "registry.Person", on_delete=models.PROTECT, related_name="merge_record"
    )
    decision = models.OneToOneField(MatchDecision, on_delete=models.PROTECT, related_name="merge")
    # What the merged person looked like, and the ids of what moved, for the history screen.
    snapshot = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.kept_id}"
