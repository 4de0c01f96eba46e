"""Server lifecycle: draining on SIGTERM, alone and behind a real HAProxy."""
