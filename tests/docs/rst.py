"""Small readers for the reStructuredText the docs tests inspect (no Sphinx needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<language>\S+)\s*$")
_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*)$")


@dataclass
class CodeBlock:
    """One ``.. code-block::`` of a file."""

    path: Path
    line: int  # 1-based line of the directive
    language: str
    options: dict[str, str] = field(default_factory=dict)
    code: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def classes(self) -> set[str]:
        return set(self.options.get("class", "").split())


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def code_blocks(path: Path) -> list[CodeBlock]:
    """Every ``.. code-block::`` in ``path``, with its options and dedented content."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        index += 1
        if not match:
            continue
        block = CodeBlock(path=path, line=index, language=match["language"])
        outer = len(match["indent"])
        while index < len(lines) and (option := _OPTION.match(lines[index])):
            block.options[option["name"]] = option["value"].strip()
            index += 1
        body: list[str] = []
        while index < len(lines) and (not lines[index].strip() or _indent_of(lines[index]) > outer):
            body.append(lines[index])
            index += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        inner = min((_indent_of(line) for line in body if line.strip()), default=0)
        block.code = "\n".join(line[inner:] for line in body) + "\n"
        blocks.append(block)
    return blocks


def documented_files() -> list[Path]:
    """The pages whose examples are tested: every docs page and the README."""
    return [*sorted(DOCS.glob("*.rst")), ROOT / "README.rst"]


def object_names(lines: list[str], directive: str) -> list[str]:
    """Names given to ``.. <directive>:: NAME`` in ``lines`` (e.g. envvar, setting)."""
    pattern = re.compile(rf"^\s*\.\. {re.escape(directive)}::\s*(\S+)\s*$")
    return [m[1] for line in lines if (m := pattern.match(line))]
