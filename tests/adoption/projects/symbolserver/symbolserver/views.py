from django.conf import settings
from django.http import HttpResponseNotFound


def download_symbol(request, debug_filename, debug_id, filename):
    """Nothing is stored in the corpus: every symbol is missing, as a 404 says."""
    return HttpResponseNotFound(
        f"{debug_filename}/{debug_id}/{filename} not in {len(settings.SYMBOL_URLS)} sources",
        content_type="text/plain",
    )


def csrf_failure(request, reason=""):
    return HttpResponseNotFound(f"CSRF failure: {reason}", content_type="text/plain")
