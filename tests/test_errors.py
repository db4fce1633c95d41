"""The exception tree: the one errors.py draws is the one the classes make (issue 15)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import evidence.errors as errors
from evidence.errors import EvidenceError, WriteConflict

ROOT = Path(__file__).resolve().parents[1]


def drawn_tree() -> dict[str, str]:
    """Each class in the docstring's drawing, with its parent (by indentation)."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^(\s*(?:[│ ]   )*)(?:[├└]── )?([A-Z][A-Za-z]+)\b", line)
        if not match or not line.strip().startswith(("E", "├", "└", "│")):
            continue
        name = match.group(2)
        depth = line.index(name) // 4
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def real_tree() -> dict[str, str]:
    return {
        name: cls.__bases__[0].__name__
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, EvidenceError) and cls is not EvidenceError
    }


def test_the_docstrings_tree_is_the_class_hierarchy() -> None:
    assert drawn_tree() == real_tree()


def test_every_class_says_when_it_is_raised() -> None:
    for name, cls in vars(errors).items():
        if inspect.isclass(cls) and issubclass(cls, EvidenceError):
            assert (cls.__doc__ or "").startswith("Raised "), name


def test_no_public_exception_class_lives_outside_errors_py() -> None:
    """Private helpers (a leading underscore) may signal inside one module; nothing public."""
    outside = []
    for path in sorted([*ROOT.glob("evidence/**/*.py"), *ROOT.glob("dashboard/**/*.py")]):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"Exception", "ValueError", *real_tree(), "EvidenceError"}:
                    outside.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert outside == []


def test_a_write_conflict_has_what_every_conflict_has() -> None:
    exc = WriteConflict("a unique key taken")
    assert (exc.kind, exc.key, exc.expected, exc.actual) == ("record", "", None, None)
    assert "nothing was written" in str(exc) and exc.exit_code == 5


def test_causes_are_kept() -> None:
    """No `raise ... from None` in the package: the error it came from stays its cause."""
    hidden = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(ROOT.glob("evidence/**/*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\braise\b.*\bfrom None\b", line)
    ]
    assert hidden == []


def test_the_readmes_exit_codes_are_the_errors_exit_codes() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("### Errors and exit codes") :]
    listed = {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.M)}
    codes = {cls.exit_code for cls in vars(errors).values() if inspect.isclass(cls)
             and issubclass(cls, EvidenceError)}  # fmt: skip
    assert listed == codes | {0}
