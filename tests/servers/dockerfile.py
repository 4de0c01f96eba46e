"""A small Dockerfile reader: enough to check example/Dockerfile without a Docker engine."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_CONTINUATION = re.compile(r"\\\s*$")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case, e.g. "RUN"
    args: str  # the rest, continuation lines joined with a space
    stage: int  # 0 for the first FROM's stage, and so on
    line: int  # where it starts (1-based)

    def exec_form(self) -> list[str] | None:
        """The JSON array form (``CMD ["a", "b"]``) as a list, None for the shell form."""
        try:
            value = json.loads(self.args)
        except ValueError:
            return None
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def parse(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile (comments and blank lines dropped)."""
    instructions: list[Instruction] = []
    stage = -1
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker also drops comment lines inside a continued instruction
        if not pending:
            start = number
        if _CONTINUATION.search(raw):
            pending.append(_CONTINUATION.sub("", raw).strip())
            continue
        pending.append(stripped)
        keyword, _, args = " ".join(pending).partition(" ")
        pending = []
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, args.strip(), stage, start))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return instructions


def parse_file(path: Path) -> list[Instruction]:
    return parse(path.read_text())
