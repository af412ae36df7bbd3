"""The append-only, hash-chained audit log (written and verified by ``casework.audit``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Append-only, hash-chained record of access to case data (see casework.audit)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # A plain id, not a foreign key: deleting a user must not rewrite the chain.
    actor_pk = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=20, default="ok")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # How entry_hash was computed (casework.audit.HASH_VERSIONS): 1 = unkeyed SHA-256,
    # the entries written before the chain was keyed; 2 = HMAC-SHA-256 with
    # AUDIT_CHAIN_KEY. Old entries keep their version, so they verify as written.
    hash_version = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.pk} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are append-only")
