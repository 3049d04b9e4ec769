"""Generated and mutated programs through the whole static pipeline: no exception, no internal error.

Two sources of programs:

- hypothesmith writes random valid Python (from CPython's grammar, or libcst node by node). A
  Keras import is put in front, or the generated statements are spliced into a rule page's
  example (with their names renamed to the example's), so the relevance prefilter lets them
  through and the interpreter meets them next to real models and images.
- the rule pages' bad and fixed examples and ``examples/`` are mutated: statements deleted,
  duplicated or swapped, names renamed. These stay close to code the rules fire on, so they
  reach the rules and the fixes.

Every program is linted with ``lint()`` (fixes on for mutants); the invariants are in ``check``.
``fuzz/fuzz_static.py`` runs the same strategies for many more examples.
"""
from __future__ import annotations

import json
import re
import tempfile
import warnings
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from cnnlint.lint import Result, lint
from cnnlint.rules import ALL_RULES, BY_CODE
from cnnlint.sources import is_relevant
from conftest import REPO, cnnlint

# hypothesis caches constants and unicode tables even without an example database: not in the checkout
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "cnnlint-hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles odd code

PREFIX = "from tensorflow.keras.applications import resnet50\n"
SEEDS_DIRS = ("examples/buggy", "examples/fixed")


def _parses(code: str) -> bool:
    try:
        cst.parse_module(code)
        return True
    except Exception:
        return False


def seed_programs() -> list[str]:
    """The rule pages' python blocks and the example scripts: code the rules are written for."""
    blocks = [b for page in sorted((REPO / "rules").glob("*.md"))
              for b in re.findall(r"```python\n(.*?)```", page.read_text("utf-8"), re.S)]
    blocks += [p.read_text("utf-8") for d in SEEDS_DIRS for p in sorted((REPO / d).rglob("*.py"))]
    return [b for b in blocks if _parses(b)]  # CNN000's example is Python 2 on purpose


SEEDS = seed_programs()
SEED_NAMES = sorted({n for code in SEEDS for n in re.findall(r"\b[a-z_][a-z_0-9]*\b", code)
                     if n.isidentifier() and not __import__("keyword").iskeyword(n)})
# Built once: hypothesmith compiles CPython's grammar for each call of from_grammar().
GENERATED = st.deferred(lambda: st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))


class _Rename(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str]):
        super().__init__()
        self.mapping = mapping

    def leave_Name(self, original, updated):
        return updated.with_changes(value=self.mapping.get(updated.value, updated.value))


def _names(module: cst.Module) -> list[str]:
    found: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node):
            found.append(node.value)

    module.visit(Collect())
    return sorted(set(found))


@st.composite
def programs(draw) -> str:
    """A hypothesmith module made relevant: behind a Keras import, or spliced into a seed program."""
    generated = draw(GENERATED)
    how = draw(st.sampled_from(["prefix", "splice", "splice-renamed"]))
    if how == "prefix":
        return PREFIX + generated
    seed = cst.parse_module(draw(st.sampled_from(SEEDS)))
    try:
        inserted = cst.parse_module(generated)
    except Exception:  # hypothesmith's grammar is a little wider than libcst's: keep the text as is
        return PREFIX + generated
    if how == "splice-renamed":
        names = _names(inserted)
        targets = st.sampled_from(SEED_NAMES)
        inserted = inserted.visit(_Rename({n: draw(targets) for n in names}))
    at = draw(st.integers(0, len(seed.body)))
    return seed.with_changes(body=[*seed.body[:at], *inserted.body, *seed.body[at:]]).code


class _EditBlock(cst.CSTTransformer):
    """Applies ``edit`` to the statements of block ``n``: 0 is the module, then its indented blocks in order."""

    def __init__(self, n: int, edit):
        super().__init__()
        self.n, self.edit, self.count, self.target = n, edit, 0, None

    def visit_IndentedBlock(self, node):
        self.count += 1
        if self.count == self.n:
            self.target = node

    def leave_IndentedBlock(self, original, updated):
        if original is not self.target:
            return updated
        return updated.with_changes(body=self.edit(list(updated.body)) or [cst.SimpleStatementLine([cst.Pass()])])

    def leave_Module(self, original, updated):
        return updated.with_changes(body=self.edit(list(updated.body))) if self.n == 0 else updated


def _blocks(module: cst.Module) -> int:
    count = 1

    class Count(cst.CSTVisitor):
        def visit_IndentedBlock(self, node):
            nonlocal count
            count += 1

    module.visit(Count())
    return count


@st.composite
def mutants(draw) -> str:
    """A seed program with one to three edits: delete, duplicate, swap statements, rename names."""
    module = cst.parse_module(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "rename", "rename-one"]))
        if op.startswith("rename"):
            names = _names(module)
            if not names:
                continue
            old = draw(st.sampled_from(names))
            new = draw(st.sampled_from(SEED_NAMES + ["fresh_name"]))
            if op == "rename":
                module = module.visit(_Rename({old: new}))
            else:
                module = _rename_one(module, old, new, draw(st.integers(0, 50)))
            continue
        i, j = draw(st.integers(0, 60)), draw(st.integers(0, 60))

        def edit(body, op=op, i=i, j=j):
            if not body:
                return body
            i, j = i % len(body), j % (len(body) + 1)
            if op == "delete":
                return body[:i] + body[i + 1:]
            if op == "duplicate":
                return body[:j] + [body[i]] + body[j:]
            j %= len(body)
            body[i], body[j] = body[j], body[i]
            return body

        module = module.visit(_EditBlock(draw(st.integers(0, _blocks(module) - 1)), edit))
    return module.code


def _rename_one(module: cst.Module, old: str, new: str, which: int) -> cst.Module:
    """Rename a single occurrence of ``old``: a use that no longer matches its definition."""
    seen = -1

    class One(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            nonlocal seen
            if updated.value != old:
                return updated
            seen += 1
            return updated.with_changes(value=new) if seen == which else updated

    return module.visit(One())


def _compiles(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "m.py", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


# CPython accepts ``try:\n    s\n\\\nfinally: s`` (a line of just a backslash); libcst 1.9 does not.
LIBCST_LIMIT = "cannot parse: valid Python that libcst cannot parse"


def check(code: str, folder: Path, fix: bool = False) -> Result:
    """Lint ``code`` as a file in ``folder`` and check what must hold for any program.

    - no exception, and no internal error (a warning asking for a bug report);
    - findings are well formed: a known code, positions from 1, one line of text;
    - valid Python (per CPython) is never reported as a syntax error: at most as valid Python that
      libcst cannot parse (fuzzing found one such form: a line holding only a backslash before
      ``finally:``, see LIBCST_LIMIT);
    - a fix gives code CPython still compiles, and linting the fixed code offers nothing more to fix.
    """
    path = folder / "generated.py"
    path.write_text(code, encoding="utf-8")
    result = lint([path], ALL_RULES, fix=fix)
    assert result.warnings == [], result.warnings
    for f in result.findings:
        assert f.code in BY_CODE and f.line >= 1 and f.column >= 1 and f.end_line >= f.line, f
        assert "\n" not in f.message and f.message.isprintable(), f.message
    if _compiles(code):  # CNN000 only for what libcst cannot parse, and saying so: never a false syntax error
        assert all(f.message.startswith(LIBCST_LIMIT) for f in result.findings if f.code == "CNN000"), result.findings
    for change in result.fixed:
        assert _compiles(change.after) or not _compiles(code), change.after
        path.write_text(change.after, encoding="utf-8")
        again = lint([path], ALL_RULES, fix=True)
        assert again.warnings == [] and again.fixed == [], (change.after, again.fixed)
    return result


FUZZ = settings(deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


@settings(FUZZ, max_examples=80)
@given(programs())
def test_generated_programs_never_crash_the_analysis(code):
    assert is_relevant(code.encode())  # so the prefilter cannot skip it
    with tempfile.TemporaryDirectory() as folder:
        check(code, Path(folder))


@settings(FUZZ, max_examples=120)
@given(mutants())
def test_mutated_rule_examples_never_crash_and_fixes_stay_valid(code):
    with tempfile.TemporaryDirectory() as folder:
        check(code, Path(folder), fix=True)


def test_mutants_reach_the_rules_and_the_fixes(tmp_path):
    """The mutation strategy is not vacuous: unmutated seeds fire rules and offer fixes."""
    codes, fixed = set(), 0
    for i, seed in enumerate(SEEDS):
        codes |= {f.code for f in check(seed, tmp_path).findings}
        fixed += len(check(seed, tmp_path, fix=True).fixed)
    assert {r.code for r in ALL_RULES if not r.runtime} - {"CNN000"} <= codes  # CNN900: cnnlint run only
    assert fixed >= 2


def test_many_generated_modules_through_the_command_line(tmp_path):
    """One CLI run over a folder of generated modules (one project: they may import each other)."""
    seen: list[str] = []

    @settings(FUZZ, max_examples=40)
    @given(programs())
    def collect(code):
        seen.append(code)

    collect()
    for i, code in enumerate(seen):
        (tmp_path / f"m{i}.py").write_text(code, encoding="utf-8")
    result = cnnlint("--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "warning" not in result.stderr, result.stderr
    findings = json.loads(result.stdout)
    assert all(f["code"] != "CNN000" or f["message"].startswith(LIBCST_LIMIT)
               or not _compiles(seen[int(Path(f["path"]).stem[1:])]) for f in findings)
