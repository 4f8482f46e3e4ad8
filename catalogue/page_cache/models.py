from django.db import models


class CatalogueVersion(models.Model):
    """One row whose token changes, in the same transaction, with every change to the data the
    public pages show: PostgreSQL triggers on the catalogue's tables rewrite it once, at commit
    (migration 0002, so writers do not queue on this row),
    so saves, deletions, many-to-many changes, bulk imports, ``QuerySet.update()``,
    ``bulk_create()`` and raw SQL all count. Cached pages are keyed by the token."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "catalogue version"

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
