"""Signals sent once per heartbeat run (not per caller served a shared or cached result).

Both are sent with ``sender`` (what the caller of ``run_heartbeat`` passed; the
``/__heartbeat__`` view passes itself) and ``level``, the run's highest message level:
``heartbeat_passed`` when it is below ``ERROR`` (so warnings pass), ``heartbeat_failed``
otherwise. Receivers are called with ``send_robust``: one that raises is logged by Django
and does not break the heartbeat. See :doc:`checks` for an example.
"""

from __future__ import annotations

from django.dispatch import Signal

heartbeat_passed = Signal()
heartbeat_failed = Signal()
