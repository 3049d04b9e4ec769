"""Every rule has a page in rules/; its bad example raises exactly its code, its fixed example nothing.

A runtime rule (reported by ``cnnlint run`` only) fits the same scheme: its examples are run with the
files they name (built in the tests), the bad one must be reported with exactly its code, the fixed
one with nothing; and the static linter says nothing about either.
"""
from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from cnnlint.rules import ALL_RULES
from conftest import REPO, cnnlint, synthetic_images

STATIC = [r for r in ALL_RULES if not r.runtime]
RUNTIME = [r for r in ALL_RULES if r.runtime]

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def example(rule, heading: str) -> str:
    page = (REPO / "rules" / rule.filename).read_text("utf-8")
    match = re.search(rf"{re.escape(heading)}\n```python\n(.*?)```", page, re.S)
    assert match, f"{rule.filename} has no python block under {heading!r}"
    return match.group(1)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_page_has_the_sections(rule):
    page = (REPO / "rules" / rule.filename).read_text("utf-8")
    assert page.startswith(f"# {rule.code} {rule.name}\n")
    for section in SECTIONS:
        assert section in page, f"{rule.filename} lacks {section}"


def variants(rule) -> list[str]:
    """"" for the page's main example pair, and "PyTorch" etc. for pairs headed "## Example (PyTorch)"."""
    page = (REPO / "rules" / rule.filename).read_text("utf-8")
    return [""] + re.findall(r"^## Example \((.+)\)$", page, re.M)


def heading(base: str, variant: str) -> str:
    return f"{base} ({variant})" if variant else base


@pytest.mark.parametrize("rule", STATIC, ids=lambda r: r.code)
def test_bad_example_raises_exactly_its_code(rule, codes):
    for variant in variants(rule):
        assert codes(example(rule, heading("## Example", variant))) == {rule.code}, variant


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_fixed_example_is_clean(rule, codes):
    for variant in variants(rule):
        assert codes(example(rule, heading("## Use instead", variant))) == set(), variant


@pytest.mark.parametrize("rule", RUNTIME, ids=lambda r: r.code)
def test_runtime_rules_are_not_claimed_by_the_static_linter(rule, codes):
    assert codes(example(rule, "## Example")) == set()


@pytest.mark.tensorflow
@pytest.mark.parametrize("rule", RUNTIME, ids=lambda r: r.code)
def test_runtime_examples_run_with_cnnlint_run(rule, tmp_path, monkeypatch, tiny_classifier):
    pytest.importorskip("keras")
    from cnnlint.runtime.run import run

    shutil.copy(tiny_classifier, tmp_path / "classifier.keras")
    np.save(tmp_path / "photos.npy", synthetic_images(24, seed=5)[0])
    monkeypatch.chdir(tmp_path)
    for heading, expected in (("## Example", {rule.code}), ("## Use instead", set())):
        (tmp_path / "example.py").write_text(example(rule, heading))
        status, report = run("example.py", [])
        assert status == 0 and {f.code for f in report.findings} == expected, (heading, str(report))


def test_no_page_without_a_rule():
    pages = {p.name for p in (REPO / "rules").glob("*.md")}
    assert pages == {r.filename for r in ALL_RULES}


def test_rule_command_prints_the_page():
    result = cnnlint("rule", "cnn102")
    assert result.returncode == 0
    assert result.stdout == (REPO / "rules" / "CNN102-preprocess-family-mismatch.md").read_text("utf-8")


def test_rule_all_lists_every_rule():
    result = cnnlint("rule", "--all")
    assert result.returncode == 0
    for rule in ALL_RULES:
        assert f"{rule.code}  {rule.name}" in result.stdout


def test_unknown_rule_is_a_usage_error():
    result = cnnlint("rule", "CNN999")
    assert result.returncode == 2
    assert "unknown rule" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("rule", STATIC, ids=lambda r: r.code)
def test_relevance_prefilter_keeps_every_bad_example(rule):
    from cnnlint.sources import is_relevant

    for variant in variants(rule):
        assert is_relevant(example(rule, heading("## Example", variant)).encode())


def test_relevance_prefilter_keeps_every_labelled_corpus_case():
    """The shared corpus (beside the repository, in CI too): no file with a labelled bug is skipped."""
    cases = REPO.parent / "shared" / "corpus" / "cases"
    if not cases.is_dir():
        pytest.skip("no ../shared/corpus here")
    from cnnlint.sources import is_relevant

    for path in sorted(cases.glob("*.py")):
        text = path.read_bytes()
        if b"# expected: clean" not in text:
            assert is_relevant(text), path.name
