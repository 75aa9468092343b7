"""Accounts: one user model with a role, region scopes for staff, and API tokens."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Pelaku usaha")
    OFFICER = "officer", _("Petugas dinas")
    APPROVER = "approver", _("Kepala bidang")
    PARTNER = "partner", _("Mitra")
    LEADERSHIP = "leadership", _("Pimpinan")
    ADMIN = "admin", _("Administrator")


# Roles whose view of records is limited to their assigned regions.
SCOPED_ROLES = frozenset({Role.OFFICER, Role.APPROVER, Role.LEADERSHIP})


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OWNER)
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    agency = models.CharField(_("instansi"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in SCOPED_ROLES or self.role == Role.ADMIN


class RegionScope(models.Model):
    """A region (any level) an officer, approver or leader works on; records below it are visible."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="region_scopes")
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="region_scope_unique")
        ]
        verbose_name = _("cakupan wilayah")

    def __str__(self) -> str:
        return f"{self.user} → {self.region_id}"


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
