import re

from whitenoise.middleware import WhiteNoiseMiddleware


class HashedUIFiles:
    """The UI build puts a content hash in each file's directory name: such files
    never change under the same URL."""

    hashed = re.compile(r"/ui/[0-9a-f]{10}/")

    def immutable_file_test(self, path, url):
        return bool(self.hashed.search(url))


class BuildIndexWhiteNoiseMiddleware(HashedUIFiles, WhiteNoiseMiddleware):
    """WhiteNoise with the rule above, and a day's max-age for the other files."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_age = 24 * 60 * 60
