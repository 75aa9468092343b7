"""Programmes, their rounds, applications, eligibility results, decisions, appeals and the
money ledger. One model serves every kind of intervention; a kind differs only in its benefit
(programmes.kinds), never in how eligibility or decisions work."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ProgrammeKind(models.TextChoices):
    CASH = "cash", _("Bantuan tunai")
    CAPITAL = "capital", _("Bantuan modal")
    GOODS = "goods", _("Bantuan barang")
    FOOD = "food", _("Paket sembako")


class Programme(models.Model):
    """An intervention an agency runs (BPUM, a capital grant, food packages...)."""

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama program"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=ProgrammeKind.choices)
    agency = models.CharField(_("instansi pelaksana"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    # The version whose rules apply to new evaluations; every earlier one stays (ProgrammeVersion).
    current_version = models.ForeignKey(
        "ProgrammeVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("program")

    def __str__(self) -> str:
        return self.name


class ProgrammeVersion(models.Model):
    """One saved text of a programme's definition file (TOML, rules included). Never edited."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField()  # the definition file as written
    definition = models.JSONField()  # the same, checked and parsed (programmes.definition)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("catatan perubahan"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} v{self.number}"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Disiapkan")
    OPEN = "open", _("Dibuka")
    CLOSED = "closed", _("Ditutup")
    FINISHED = "finished", _("Selesai")


class Round(models.Model):
    """One call of a programme: dates, benefit, budget, quotas; money is counted here.

    `committed` is what approved decisions promise; `disbursed` what banks confirmed paid or
    officers confirmed handed over. The database refuses a round that commits more than its
    budget, whatever the code above it does (two approvers at once, a retried job).
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds")
    code = models.SlugField(_("kode"), max_length=60)
    name = models.CharField(_("nama putaran"), max_length=200)
    opens_on = models.DateField(_("dibuka"))
    closes_on = models.DateField(_("ditutup"))
    appeal_days = models.PositiveSmallIntegerField(_("masa sanggah (hari)"), default=14)
    # Rupiah per recipient (cash) or the value of one package (goods); no minor unit.
    amount = models.BigIntegerField(_("nilai per penerima (Rp)"))
    items = models.JSONField(_("isi paket"), default=list, blank=True)
    budget = models.BigIntegerField(_("pagu anggaran (Rp)"))
    banks = models.JSONField(_("bank penyalur"), default=list, blank=True)
    committed = models.BigIntegerField(default=0)
    disbursed = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("putaran")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="round_code_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="round_amount_positive"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="round_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("budget")),
                name="round_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(disbursed__gte=0) & Q(disbursed__lte=F("committed")),
                name="round_disbursed_within_committed",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="round_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} · {self.name}"


class RegionQuota(models.Model):
    """At most this many recipients in a region (any level) in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")
    recipients = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="quota_region_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.region_id} ≤ {self.recipients}"


class Channel(models.TextChoices):
    OWNER = "owner", _("Diajukan sendiri")
    OFFICER = "officer", _("Diajukan petugas")
    PROPOSER = "proposer", _("Daftar pengusul")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Diajukan")
    ELIGIBLE = "eligible", _("Memenuhi syarat")
    INELIGIBLE = "ineligible", _("Tidak memenuhi syarat")
    SELECTED = "selected", _("Diusulkan menerima")
    RESERVE = "reserve", _("Cadangan")
    RECIPIENT = "recipient", _("Penerima")
    WITHDRAWN = "withdrawn", _("Dibatalkan")


class Application(models.Model):
    """A person's application to a round, from whichever door it came.

    One per person per round (the database says so); a second proposer naming the same person
    is recorded on the first application (`also_proposed_by`), not as a second one.
    """

    # Indexed by the constraint and index below: (round, person) and (round, id) lead with the
    # round, person has its own; businesses are never deleted, so no index on business. No
    # index holds the status or the evaluation: a round's steps rewrite them for every
    # applicant (evaluated, selected, recipient), and on PostgreSQL, with half of each page
    # kept free (migration 0005), those are HOT updates, about four times quicker than ones
    # that add an entry to every index. Lists filtered by status walk (round, id), as the
    # filters by region and by failed rule do.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="applications"
    )
    business = models.ForeignKey(
        "registry.Business", on_delete=models.PROTECT, related_name="applications",
        db_index=False,
    )  # fmt: skip
    channel = models.CharField(max_length=10, choices=Channel.choices)
    proposer = models.CharField(_("pengusul"), max_length=150, blank=True)
    intake_job = models.ForeignKey(
        "intake.IntakeJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    intake_row = models.PositiveIntegerField(null=True, blank=True)
    also_proposed_by = models.JSONField(default=list, blank=True)
    # What the applicant states for this round (savings balance, bank...): programme-defined.
    declarations = models.JSONField(default=dict, blank=True)
    bank = models.CharField(_("bank penyalur"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    submitted_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    # The latest evaluation: [[rule code, passed, value seen], ...] in the version's rule order.
    eligible = models.BooleanField(null=True)
    results = models.JSONField(default=list, blank=True)
    evaluated_version = models.ForeignKey(
        ProgrammeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    evaluated_at = models.DateTimeField(null=True, blank=True)
    region_code = models.CharField(max_length=13)  # the business's village, for scope
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pengajuan")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="application_once_per_round"),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "id"], name="application_round_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class EligibilityRun(models.Model):
    """One evaluation of a whole round (or of one application) under one programme version."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="eligibility_runs")
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applications = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    # rule code -> applications that failed it
    failures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.round_id} #{self.pk}"


class DecisionKind(models.TextChoices):
    INITIAL = "initial", _("Penetapan penerima")
    AMENDMENT = "amendment", _("Perubahan penetapan")


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Diusulkan")
    APPROVED = "approved", _("Disetujui")
    RETURNED = "returned", _("Dikembalikan")


class Decision(models.Model):
    """A recipient list (or an amendment to one): a preparer proposes, another person approves.

    Approval locks the list and fixes its annex by content hash; the database itself refuses an
    approval by the person who prepared it.
    """

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    number = models.PositiveIntegerField()  # 1, 2, ... within the round
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    note = models.TextField(_("catatan"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    recipients_added = models.PositiveIntegerField(default=0)
    recipients_removed = models.PositiveIntegerField(default=0)
    amount_added = models.BigIntegerField(default=0)
    amount_removed = models.BigIntegerField(default=0)
    # SHA-256 of the annex's canonical content (programmes.annex), fixed at approval.
    content_sha256 = models.CharField(max_length=64, blank=True)
    annex_xlsx = models.CharField(max_length=255, blank=True)
    annex_pdf = models.CharField(max_length=255, blank=True)
    # The narrowest region holding every line ("" when they span provinces): only staff whose
    # regions cover it prepare, approve or return the list.
    region_code = models.CharField(max_length=13, default="", blank=True)

    class Meta:
        ordering = ["round", "number"]
        verbose_name = _("penetapan")
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="decision_number_once"),
            # Maker-checker in the database: whoever prepared a list never approves it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("prepared_by")),
                name="decision_checker_not_maker",
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.PROPOSED)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="decision_decided_has_who_and_when",
            ),
            # At most one list waiting for approval per round: a second would race the first.
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status=DecisionStatus.PROPOSED),
                name="decision_one_proposed_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} #{self.number}"


class EntryChange(models.TextChoices):
    ADD = "add", _("Ditambahkan")
    REMOVE = "remove", _("Dikeluarkan")


class DecisionEntry(models.Model):
    """One line of a decision: a recipient added (or, in an amendment, removed)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               db_index=False)  # fmt: skip
    change = models.CharField(max_length=6, choices=EntryChange.choices)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    # The annex's columns as they were when the list was proposed: approval fixes them (and
    # their hash), whatever later edits to the registry say.
    nik_masked = models.CharField(max_length=16)
    full_name = models.CharField(max_length=150)
    business_name = models.CharField(max_length=150)
    region_code = models.CharField(max_length=13)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "application"], name="decision_entry_once"),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="decision_entry_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.change} {self.application_id}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Sedang diperiksa")
    UPHELD = "upheld", _("Diterima")
    DISMISSED = "dismissed", _("Ditolak")


class Appeal(models.Model):
    """A sanggahan: the applicant contests a refusal within the round's window."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("alasan sanggahan"))
    evidence = models.CharField(max_length=255, blank=True)  # stored file name under var/appeals
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.TextField(_("hasil pemeriksaan"), blank=True)
    # The evaluation before and after the officer's re-check, as stored on the application.
    results_before = models.JSONField(default=list, blank=True)
    results_after = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("sanggahan")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=AppealStatus.OPEN),
                name="appeal_one_open_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class LedgerKind(models.TextChoices):
    COMMIT = "commit", _("Dialokasikan")
    RELEASE = "release", _("Alokasi dibatalkan")
    DISBURSE = "disburse", _("Tersalurkan")
    REVERSE = "reverse", _("Penyaluran dibatalkan")


class LedgerEntry(models.Model):
    """Every rupiah a round moves, as an append-only entry; the round's totals are their sums.

    commit/release move `Round.committed`, disburse/reverse move `Round.disbursed`, in the same
    transaction as the entry (programmes.ledger), and the round's check constraints refuse any
    total beyond the budget.
    """

    # Indexed by (round, kind) below.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="ledger", db_index=False
    )
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    amount = models.BigIntegerField()
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               db_index=False)  # fmt: skip
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # What the entry is about, by kind: a payment, a handover ("payments.payment:12").
    subject = models.CharField(max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["round", "kind"], name="ledger_round_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=LedgerKind.values), name="ledger_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.amount}"


class RoundEvent(models.Model):
    """Who did what to a round and why: opening, evaluations, decisions, batches, appeals."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.action}"
