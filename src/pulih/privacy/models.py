"""Who looked at which personal data, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One reveal of a protected field (the full NIK or phone) by a staff user."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="data_accesses"
    )
    field = models.CharField(max_length=16)
    reason = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=8, default="web")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("akses data pribadi")
        verbose_name_plural = _("akses data pribadi")

    def __str__(self) -> str:
        return f"{self.actor_id} {self.field} {self.person_id} {self.at:%Y-%m-%d %H:%M}"
