from __future__ import annotations

from django.db import models


class Pending(models.Model):
    name = models.CharField(max_length=20)
    note = models.TextField(default="")

    def __str__(self) -> str:
        return self.name
