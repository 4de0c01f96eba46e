"""Ids of the messages the built-in checks and the heartbeat produce: E001-E010, I001 and
W001 are python-dockerflow's (E008-E010, its Flask ids, are reserved); ours follow."""

INFO_CANT_CHECK_MIGRATIONS = "dockerflow.health.I001"
WARNING_UNAPPLIED_MIGRATION = "dockerflow.health.W001"
ERROR_CANNOT_CONNECT_DATABASE = "dockerflow.health.E001"
ERROR_UNUSABLE_DATABASE = "dockerflow.health.E002"
ERROR_MISCONFIGURED_DATABASE = "dockerflow.health.E003"
ERROR_CANNOT_CONNECT_REDIS = "dockerflow.health.E004"
ERROR_MISSING_REDIS_CLIENT = "dockerflow.health.E005"
ERROR_MISCONFIGURED_REDIS = "dockerflow.health.E006"
ERROR_REDIS_PING_FAILED = "dockerflow.health.E007"
ERROR_DB_API_EXCEPTION = "dockerflow.health.E008"
ERROR_SQLALCHEMY_EXCEPTION = "dockerflow.health.E009"
ERROR_REDIS_EXCEPTION = "dockerflow.health.E010"

# New in dockerflow-settings.
#: A check raised an exception (its traceback is logged, never returned).
ERROR_CHECK_RAISED = "dockerflow.health.E011"
#: A check did not answer within DOCKERFLOW_HEARTBEAT_TIMEOUT.
ERROR_CHECK_TIMED_OUT = "dockerflow.health.E012"
#: A check was not started: its earlier run is still running (hung).
ERROR_CHECK_STUCK = "dockerflow.health.E013"
#: A dotted path in DOCKERFLOW_CHECKS cannot be imported, or is not callable.
ERROR_CHECK_NOT_IMPORTABLE = "dockerflow.health.E014"
#: A cache's set/get/delete round trip failed.
ERROR_CACHE_ROUND_TRIP = "dockerflow.health.E015"
#: A database alias the check was asked about is not in DATABASES.
ERROR_UNKNOWN_DATABASE_ALIAS = "dockerflow.health.E016"
#: A DOCKERFLOW_* setting's value breaks its rule (a Django system check).
ERROR_INVALID_SETTING = "dockerflow.health.E017"
