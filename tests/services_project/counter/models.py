from __future__ import annotations

from django.db import models


class CheckRun(models.Model):
    """One row per heartbeat check run: which worker ran it, and when."""

    pid = models.IntegerField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"check run by pid {self.pid} at {self.at.isoformat()}"
