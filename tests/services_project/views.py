"""An application view that uses the database, and a diagnostic view of the worker's threads."""

from __future__ import annotations

import os
import sys
import threading

from django.db import connection
from django.http import HttpRequest, JsonResponse


def app(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend_pid,) = cursor.fetchone()
    return JsonResponse({"worker_pid": os.getpid(), "backend_pid": backend_pid})


def threads(request: HttpRequest) -> JsonResponse:
    """Every live thread of this worker with the functions on its stack (innermost last).

    Tests count the threads whose stack is inside a given check function: that is
    how many worker threads a hung backing service has pinned.
    """
    frames = sys._current_frames()
    described = []
    for thread in threading.enumerate():
        stack = []
        frame = frames.get(thread.ident)
        while frame is not None:
            code = frame.f_code
            stack.append(f"{frame.f_globals.get('__name__', '?')}:{code.co_name}")
            frame = frame.f_back
        described.append({"name": thread.name, "daemon": thread.daemon, "stack": stack[::-1]})
    return JsonResponse(
        {
            "worker_pid": os.getpid(),
            "active_count": threading.active_count(),
            "threads": described,
        }
    )
