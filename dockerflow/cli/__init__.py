"""Build-time and operator tooling behind the ``dockerflow_*`` management commands.

Nothing here is imported on the request path: building and checking ``version.json``
(:mod:`~dockerflow.cli.version_object`), writing files atomically, probing a running
server over HTTP, and the commands' exit codes and output (:mod:`~dockerflow.cli.conventions`).
"""
