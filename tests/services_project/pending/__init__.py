"""An app installed only when ``DFS_PENDING_APP`` is on: its migrations are never applied."""
