"""docs/threat-model.md points at code and tests; every pointer must still exist, so the
document cannot rot as the code moves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs" / "threat-model.md"
POINTER = re.compile(r"`([A-Za-z0-9_./-]+\.(?:py|md|sql|toml|sh))(?:::([A-Za-z_][A-Za-z0-9_]*))?`")


def pointers(text: str) -> list[tuple[str, str | None]]:
    return [(path, name or None) for path, name in POINTER.findall(text)]


def missing(root: Path, path: str, name: str | None) -> str | None:
    target = root / path
    if not target.is_file():
        return f"{path}: no such file"
    defined = rf"\b(?:def|class) {re.escape(name)}\b" if name else None
    if defined is not None and not re.search(defined, target.read_text()):
        return f"{path}: no def {name}"
    return None


def test_the_threat_model_has_pointers() -> None:
    assert len(pointers(DOCS.read_text())) > 50


@pytest.mark.parametrize(("path", "name"), pointers(DOCS.read_text()), ids=str)
def test_every_pointer_of_the_threat_model_exists(path: str, name: str | None) -> None:
    assert missing(ROOT, path, name) is None, missing(ROOT, path, name)


def test_a_bad_pointer_is_caught() -> None:
    assert missing(ROOT, "portal/no_such_module.py", None) is not None
    this = "tests/unit/test_threat_model_pointers.py"
    assert missing(ROOT, this, "test_no_such_test") is not None
    assert missing(ROOT, this, "test_a_bad_pointer_is_caught") is None
