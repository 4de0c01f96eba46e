from django.core.files.storage import FileSystemStorage


class MediaStorage(FileSystemStorage):
    """Course covers and organisation logos."""


class ContractsStorage(FileSystemStorage):
    """Signed contracts: never served under MEDIA_URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", "/contracts/")
        super().__init__(**kwargs)
