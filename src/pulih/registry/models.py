"""The UMKM registry: the person who owns a business, the business, its products."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class SizeClass(models.TextChoices):
    """PP 7/2021 art. 35."""

    MIKRO = "mikro", _("Mikro")
    KECIL = "kecil", _("Kecil")
    MENENGAH = "menengah", _("Menengah")


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    NEEDS_FIX = "needs_fix", _("Perlu perbaikan")
    VERIFIED = "verified", _("Terverifikasi")
    REJECTED = "rejected", _("Ditolak")


class PandemicImpact(models.TextChoices):
    NONE = "none", _("Tidak terdampak")
    TURNOVER_DOWN = "turnover_down", _("Omzet turun")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Sempat tutup sementara")
    WORKERS_LAID_OFF = "workers_laid_off", _("Mengurangi pekerja")
    CLOSED = "closed", _("Berhenti beroperasi")


class OnlineChannel(models.TextChoices):
    TOKOPEDIA = "tokopedia", "Tokopedia"
    SHOPEE = "shopee", "Shopee"
    BUKALAPAK = "bukalapak", "Bukalapak"
    BLIBLI = "blibli", "Blibli"
    TIKTOK = "tiktok", "TikTok Shop"
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    WHATSAPP = "whatsapp", "WhatsApp"
    GOFOOD = "gofood", "GoFood"
    GRABFOOD = "grabfood", "GrabFood"
    WEBSITE = "website", _("Situs web sendiri")


def region_prefix_field(length: int) -> models.GeneratedField:
    """The province, city or district part of `region_code`, stored and indexed by the database
    itself, so bulk writers that only set `region_code` stay consistent."""
    return models.GeneratedField(
        expression=Substr("region_code", 1, length),
        output_field=models.CharField(max_length=length),
        db_persist=True,
        editable=False,
    )


class Person(models.Model):
    """A business owner. The NIK is held encrypted, with a keyed hash that keeps it unique."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    # Titles and degrees (H., Dr., S.E.) kept apart from the name, so matching compares names.
    name_titles = models.CharField(_("gelar"), max_length=80, blank=True, db_default="")
    # Lower-cased, single-spaced copy of the name for index-backed prefix search.
    name_search = models.CharField(max_length=150, editable=False)
    nik_ciphertext = models.TextField(editable=False)
    nik_hash = models.CharField(max_length=64, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, editable=False)
    birth_place = models.CharField(_("tempat lahir"), max_length=80, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    # Where the stated birth date or sex disagrees with what the NIK encodes (kept, not refused).
    nik_birth_date_mismatch = models.BooleanField(default=False)
    nik_sex_mismatch = models.BooleanField(default=False)
    phone_ciphertext = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("nomor HP"), max_length=20, blank=True, editable=False)
    email = models.EmailField(_("surel"), blank=True)
    address = models.CharField(_("alamat"), max_length=250)
    rt = models.CharField("RT", max_length=3, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    village = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    region_code = models.CharField(max_length=13, editable=False)
    province_code = region_prefix_field(2)
    city_code = region_prefix_field(5)
    district_code = region_prefix_field(8)
    postcode = models.CharField(_("kode pos"), max_length=5, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Set when an officer confirmed this person to be another one (pulih.linkage): the row
    # stays for its history and NIK, and every list shows the person it was merged into.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index below holds only the merged rows
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pemilik usaha")
        verbose_name_plural = _("pemilik usaha")
        permissions = [("reveal_nik", "Can reveal a full NIK and phone number")]
        # Indexes on text columns are declared here, not with db_index/unique on the field:
        # for those PostgreSQL gets a second, varchar_pattern_ops index (for LIKE 'x%') beside
        # each one. No query here uses LIKE (name search is a range, selectors.prefix_range),
        # and the twins made every imported row cost a third more to insert.
        indexes = [
            *(
                models.Index(fields=[level, "id"], name=f"person_{level[:4]}_idx")
                for level in ("province_code", "city_code", "district_code", "region_code")
            ),
            models.Index(fields=["name_search"], name="person_name_search_idx"),
            models.Index(fields=["nik_masked"], name="person_nik_masked_idx"),
            # Only merged rows are in it (a few), so imports of new people never pay for it;
            # one application's evaluation finds the other persons of its identity by it.
            models.Index(
                fields=["merged_into"],
                name="person_merged_into_idx",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]
        # No index on phone_hash or village: nothing searches by them (village_id equals
        # region_code, which is indexed), and each index costs every imported row a B-tree
        # insert (about 5 microseconds on the 2-core machine; bench/intake).
        constraints = [models.UniqueConstraint(fields=["nik_hash"], name="person_nik_hash_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.nik_masked})"


class Business(models.Model):
    """A business and its registration; the registration state lives here."""

    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="businesses")
    name = models.CharField(_("nama usaha"), max_length=150)
    name_search = models.CharField(max_length=150, editable=False)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    # Required on the forms; empty only for businesses imported from a list that did not say.
    kbli_section = models.ForeignKey(
        "reference.KbliSection",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sektor (KBLI)"),
        db_index=False,
    )
    kbli_code = models.CharField(_("kode KBLI"), max_length=5, blank=True)
    ekraf_subsector = models.ForeignKey(
        "reference.EkrafSubsector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("subsektor ekonomi kreatif"),
        db_index=False,
    )
    description = models.TextField(_("uraian usaha"), blank=True)
    started_year = models.PositiveSmallIntegerField(_("tahun mulai"), null=True, blank=True)
    capital = models.BigIntegerField(_("modal usaha (Rp)"), null=True, blank=True)
    annual_sales = models.BigIntegerField(_("hasil penjualan tahunan (Rp)"), null=True, blank=True)
    size_class = models.CharField(_("skala usaha"), max_length=10, choices=SizeClass.choices)
    employees = models.PositiveIntegerField(_("jumlah pekerja"), default=0)
    monthly_turnover = models.BigIntegerField(_("omzet per bulan (Rp)"), null=True, blank=True)
    online_channels = models.JSONField(_("kanal daring"), default=list, blank=True)
    pandemic_impact = models.CharField(
        _("dampak pandemi"),
        max_length=20,
        choices=PandemicImpact.choices,
        default=PandemicImpact.NONE,
    )
    pandemic_impact_note = models.CharField(_("keterangan dampak"), max_length=300, blank=True)
    address = models.CharField(_("alamat usaha"), max_length=250)
    village = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    region_code = models.CharField(max_length=13, editable=False)
    province_code = region_prefix_field(2)
    city_code = region_prefix_field(5)
    district_code = region_prefix_field(8)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.DRAFT,
    )
    status_reason = models.TextField(_("alasan petugas"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("usaha")
        verbose_name_plural = _("usaha")
        # Scope is an equality on the column of the scope's level, so each list is one ordered
        # index walk: (level, id) for "everything in my region", (status, level, id) for the queue.
        # Text columns are indexed here rather than with db_index (see Person.Meta).
        indexes = [
            *(
                idx
                for level in ("province_code", "city_code", "district_code", "region_code")
                for idx in (
                    models.Index(fields=[level, "id"], name=f"business_{level[:4]}_idx"),
                    models.Index(
                        fields=["status", level, "id"], name=f"business_st_{level[:4]}_idx"
                    ),
                )
            ),
            models.Index(fields=["name_search"], name="business_name_search_idx"),
        ]
        # Not indexed: nib, kbli_section, ekraf_subsector, village, decided_by. No list filters
        # or searches by them, and the rows they point at (reference data, accounts) are never
        # deleted; an index each would only slow every imported row (see Person.Meta).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capital__gte=0) | models.Q(capital__isnull=True),
                name="business_capital_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_sales__gte=0) | models.Q(annual_sales__isnull=True),
                name="business_sales_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_turnover__gte=0)
                | models.Q(monthly_turnover__isnull=True),
                name="business_turnover_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RegistrationStatus.values),
                name="business_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def online_channel_labels(self) -> list[str]:
        labels = dict(OnlineChannel.choices)
        return [str(labels.get(code, code)) for code in self.online_channels]


class Product(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("nama produk"), max_length=150)
    description = models.TextField(_("uraian"), blank=True)
    price = models.BigIntegerField(_("harga (Rp)"), null=True, blank=True)
    unit = models.CharField(_("satuan"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("produk")
        verbose_name_plural = _("produk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0) | models.Q(price__isnull=True),
                name="product_price_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name


def product_photo_path(instance: "ProductPhoto", filename: str) -> str:
    # The stored name is ours, never the uploader's: no path tricks, no personal data in names.
    return f"products/{instance.product_id}/{instance.token}.jpg"


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True)
    # Dimensions are set by the service from the re-encoded image, not read back from disk.
    image = models.ImageField(upload_to=product_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("foto produk")

    def __str__(self) -> str:
        return self.image.name


EVENT_ACTION_LABELS = {
    "created": _("Dibuat"),
    "edited": _("Data usaha diubah"),
    "person_edited": _("Data diri diubah"),
    "product_added": _("Produk ditambahkan"),
    "product_removed": _("Produk dihapus"),
    "photo_added": _("Foto ditambahkan"),
    "status": _("Status diubah"),
}


class RegistrationEvent(models.Model):
    """History of a registration: every state change and edit, with who and why."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("riwayat pendaftaran")

    def __str__(self) -> str:
        return f"{self.business_id} {self.action} {self.from_status}->{self.to_status}"

    @property
    def action_label(self) -> str:
        return str(EVENT_ACTION_LABELS.get(self.action, self.action))

    @property
    def changed_fields_label(self) -> str:
        """The edited fields by their (translated) names; values stay in `changes` for audit."""
        model = Person if self.action == "person_edited" else Business
        names = []
        for key in self.changes:
            try:
                names.append(str(model._meta.get_field(key).verbose_name))
            except FieldDoesNotExist:
                names.append(key)
        return ", ".join(names)

    @property
    def from_status_label(self) -> str:
        return str(RegistrationStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_status_label(self) -> str:
        return str(RegistrationStatus(self.to_status).label) if self.to_status else ""


class NikConflict(models.Model):
    """Someone tried to register a NIK that already belongs to a person in the registry.

    The owner is only told to contact the agency; officers of the existing person's region see this.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nik_conflicts")
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attempted_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("konflik NIK")

    def __str__(self) -> str:
        return f"{self.person_id} {self.attempted_name}"
