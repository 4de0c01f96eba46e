"""What "adopting the mixin changed nothing the project defined" means, setting by setting.

Inputs are the JSON dumps of ``dump_settings.py``: ``before`` (the project on a plain
``Configuration``), ``after`` (adopted) and ``bare`` (a project with nothing of its
own, so what the mixin adds to every project). Each function returns the problems it
found, as sentences; an empty list means the rule holds.

* A setting the mixin does not merge keeps its value exactly.
* A setting the mixin merges (its table row has ``merge``) keeps the project's
  entries: none lost, in the project's order, nothing added but what the mixin adds
  to every project, and where the project lists a subclass of a class the mixin adds,
  the subclass replaces that class (one ``DockerflowMiddleware``).
* Legacy ``DEFAULT_FILE_STORAGE`` / ``STATICFILES_STORAGE`` end up in ``STORAGES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dockerflow_settings import table

DOCKERFLOW_MIDDLEWARE = "dockerflow.django.middleware.DockerflowMiddleware"
#: Legacy setting -> the STORAGES alias Django 4.2 translates it into.
LEGACY_STORAGES = {"DEFAULT_FILE_STORAGE": "default", "STATICFILES_STORAGE": "staticfiles"}
MISSING = "<not set>"

Dump = dict[str, Any]


def merged_names() -> set[str]:
    """The settings the mixin merges with the project's value (from the table)."""
    return {name for name, row in table.BY_NAME.items() if row.merge is not None}


def _tail(text: str, lines: int = 6) -> str:
    """The end of a traceback: where it was raised and the error."""
    return "\n".join(text.strip().splitlines()[-lines:])


def loaded(dump: Dump, what: str) -> Dump:
    """``dump``, or AssertionError with the end of the traceback that stopped it."""
    assert dump["error"] is None, f"{what} does not load:\n{_tail(dump['error'])}"
    return dump


def django_accepts(dump: Dump, what: str) -> Dump:
    loaded(dump, what)
    error = dump["django_error"]
    assert error is None, f"Django refuses {what}:\n{_tail(error)}"
    return dump


def _short(value: Any, limit: int = 400) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def value_differences(before: Dump, after: Dump, names: Iterable[str]) -> list[str]:
    problems = []
    for name in sorted(names):
        old = before["settings"].get(name, MISSING)
        new = after["settings"].get(name, MISSING)
        if old != new:
            problems.append(f"{name} changed:\n  before: {_short(old)}\n  after:  {_short(new)}")
    return problems


def entries(value: Any) -> list[Any]:
    """A list or tuple setting's entries (tuples are dumped as ``{"__tuple__": [...]}``)."""
    if isinstance(value, dict) and set(value) == {"__tuple__"}:
        return list(value["__tuple__"])
    return list(value) if isinstance(value, list) else []


def _duplicates(items: list[Any]) -> list[Any]:
    return sorted({item for item in items if items.count(item) > 1}, key=str)


def list_problems(
    name: str,
    before: list[Any],
    after: list[Any],
    mixin: list[Any],
    positioned_by_mixin: Callable[[Any], bool] | None = None,
) -> list[str]:
    """The list rule: ``before`` kept in ``after``, in order; only ``mixin`` added."""
    positioned_by_mixin = positioned_by_mixin or (lambda entry: entry in mixin)
    problems = []
    lost = [entry for entry in before if entry not in after]
    if lost:
        problems.append(f"{name}: the project's {lost} are lost")
    added = [entry for entry in after if entry not in before and entry not in mixin]
    if added:
        problems.append(f"{name}: {added} added, neither the project's nor the mixin's")
    if _duplicates(after):
        problems.append(f"{name}: {_duplicates(after)} appear more than once")
    own = [entry for entry in before if entry in after and not positioned_by_mixin(entry)]
    order = [entry for entry in after if entry in own]
    if order != own:
        problems.append(f"{name}: the project's order was {own}, it is now {order}")
    return problems


def middleware_problems(before: Dump, after: Dump, bare: Dump) -> list[str]:
    """The list rule on MIDDLEWARE, then on what Django uses of it (entries that do not
    raise MiddlewareNotUsed): no class the mixin adds next to the project's subclass
    of it, the project's own entries all used, exactly one DockerflowMiddleware."""
    old = entries(before["settings"].get("MIDDLEWARE"))
    new = entries(after["settings"].get("MIDDLEWARE"))
    mixin = entries(bare["settings"].get("MIDDLEWARE"))
    info = after["middleware"]
    problems = []
    for entry in new:
        if info.get(entry) is None:
            problems.append(f"MIDDLEWARE: {entry!r} cannot be imported")
        elif isinstance(info[entry]["used"], str):
            problems.append(f"MIDDLEWARE: {entry!r} cannot be built: {info[entry]['used']}")
    if problems:
        return problems

    def bases(entry: str) -> set[str]:
        return set(info[entry]["mro"][1:])

    def positioned_by_mixin(entry: str) -> bool:
        return entry in mixin or bool(bases(entry) & set(mixin))

    problems += list_problems("MIDDLEWARE", old, new, mixin, positioned_by_mixin)
    used = [entry for entry in new if info[entry]["used"] is True]
    unused = [entry for entry in old if entry in new and entry not in used]
    if unused:
        problems.append(f"MIDDLEWARE: the project's {unused} are not used (MiddlewareNotUsed)")
    for added in mixin:
        subclasses = [entry for entry in used if added in bases(entry)]
        if added in used and subclasses:
            problems.append(
                f"MIDDLEWARE: {added} is used although the project lists its subclass "
                f"{subclasses[0]}, which must replace it"
            )
    dockerflow = [entry for entry in used if DOCKERFLOW_MIDDLEWARE in info[entry]["mro"]]
    if len(dockerflow) != 1:
        problems.append(
            f"MIDDLEWARE: {len(dockerflow)} DockerflowMiddleware classes used ({dockerflow}), "
            "so not one request.summary line per request"
        )
    return problems


def installed_apps_problems(before: Dump, after: Dump, bare: Dump) -> list[str]:
    """The list rule on the apps' names (an AppConfig path installs its app's name)."""

    def names(dump: Dump) -> list[Any]:
        apps = entries(dump["settings"].get("INSTALLED_APPS"))
        return [dump["app_names"].get(app) or app for app in apps]

    return list_problems("INSTALLED_APPS", names(before), names(after), names(bare))


def logging_problems(before: Dump, after: Dump, bare: Dump) -> list[str]:
    """Every logger the project configured is still configured; the ones the mixin
    does not configure itself keep their level and propagation; the result is a
    configuration whose loggers and handlers name what it defines."""
    old = before["settings"].get("LOGGING") or {}
    new = after["settings"].get("LOGGING") or {}
    mixin_loggers = set((bare["settings"].get("LOGGING") or {}).get("loggers", {}))
    new_loggers = new.get("loggers", {})
    problems = []
    for name, config in old.get("loggers", {}).items():
        if name not in new_loggers:
            problems.append(f"LOGGING: the project's logger {name!r} is not configured")
            continue
        if name in mixin_loggers:
            continue
        for key in ("level", "propagate"):
            if config.get(key) != new_loggers[name].get(key):
                problems.append(
                    f"LOGGING: logger {name!r} {key} was {config.get(key)!r}, "
                    f"is {new_loggers[name].get(key)!r}"
                )
    handlers = new.get("handlers", {})
    for logger, config in [*new_loggers.items(), ("root", new.get("root") or {})]:
        for handler in config.get("handlers", []):
            if handler not in handlers:
                problems.append(f"LOGGING: logger {logger!r} names a missing handler {handler!r}")
    for handler, config in handlers.items():
        formatter = config.get("formatter")
        if formatter and formatter not in new.get("formatters", {}):
            problems.append(f"LOGGING: handler {handler!r} names a missing formatter {formatter!r}")
    return problems


def dict_problems(name: str, before: Dump, after: Dump) -> list[str]:
    """Each key of the project's dict (e.g. each STORAGES alias) keeps its value."""
    old = before["settings"].get(name) or {}
    new = after["settings"].get(name) or {}
    return [
        f"{name}[{key!r}] changed:\n  before: {_short(value)}\n  after:  "
        f"{_short(new.get(key, MISSING))}"
        for key, value in old.items()
        if new.get(key, MISSING) != value
    ]


def merged_problems(name: str, before: Dump, after: Dump, bare: Dump) -> list[str]:
    """The merge rule for setting ``name``."""
    if name == "MIDDLEWARE":
        return middleware_problems(before, after, bare)
    if name == "INSTALLED_APPS":
        return installed_apps_problems(before, after, bare)
    if name == "LOGGING":
        return logging_problems(before, after, bare)
    old = before["settings"].get(name)
    if isinstance(old, dict) and set(old) != {"__tuple__"}:
        return dict_problems(name, before, after)
    return list_problems(
        name,
        entries(old),
        entries(after["settings"].get(name)),
        entries(bare["settings"].get(name)),
    )


def legacy_storage_problems(before: Dump, after: Dump) -> list[str]:
    """Each legacy storage setting the project sets is its STORAGES alias's backend."""
    storages = after["settings"].get("STORAGES") or {}
    problems = []
    for legacy, alias in LEGACY_STORAGES.items():
        backend = before["settings"].get(legacy)
        if legacy not in before["defined"] or backend is None:
            continue
        got = (storages.get(alias) or {}).get("BACKEND", MISSING)
        if got != backend:
            problems.append(
                f"{legacy} = {backend!r} is not translated: STORAGES[{alias!r}] has BACKEND {got!r}"
            )
    return problems
