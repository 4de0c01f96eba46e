from django.core.files.storage import FileSystemStorage


class PermissiveStorage(FileSystemStorage):
    """Uploads readable by everyone: the files are published as they are."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o644)
        super().__init__(**kwargs)
