"""Build-time and operator tooling behind the ``dockerflow_*`` management commands.

Nothing here is imported on the request path: building and checking ``version.json``
(``version_object``, from CI variables and git: ``version_sources``), writing files
atomically (``atomic_write``), probing a running server over HTTP (``http_probe``), and
the commands' exit codes and output (``conventions``).
"""
