"""[tool.cnnlint] in pyproject.toml, the flags that override it, exclusions, editors' standard input."""
from __future__ import annotations

import json
import subprocess

from cnnlint.sources import discover
from conftest import cnnlint, write_files
from test_cli import CLEAN, RAW


def codes_of(result):
    return sorted((line.split(":")[0], line.split()[1]) for line in result.stdout.splitlines())


def test_select_ignore_and_per_file_ignores_from_pyproject(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": """
            [tool.cnnlint]
            ignore = ["CNN203"]
            per-file-ignores = { "scripts/*.py" = ["CNN1"] }
        """,
        "app.py": RAW, "scripts/try.py": RAW, "sub/deeper/x.py": RAW})
    result = cnnlint(".", cwd=tmp_path)
    assert codes_of(result) == [("app.py", "CNN101"), ("sub/deeper/x.py", "CNN101")]
    # run from a subfolder: the pyproject.toml above it still applies
    assert codes_of(cnnlint(".", cwd=tmp_path / "sub")) == [("deeper/x.py", "CNN101")]


def test_command_line_overrides_the_file(tmp_path):
    write_files(tmp_path, {"pyproject.toml": '[tool.cnnlint]\nselect = ["CNN203"]\n', "app.py": RAW})
    assert codes_of(cnnlint(".", cwd=tmp_path)) == [("app.py", "CNN203")]
    assert codes_of(cnnlint("--select", "CNN101", ".", cwd=tmp_path)) == [("app.py", "CNN101")]
    assert codes_of(cnnlint("--extend-select", "CNN101", ".", cwd=tmp_path)) == [("app.py", "CNN101"),
                                                                                 ("app.py", "CNN203")]
    assert codes_of(cnnlint("--per-file-ignores", "app.py:CNN2", ".", cwd=tmp_path)) == []


def test_explicit_config_file(tmp_path):
    write_files(tmp_path, {"conf/pyproject.toml": '[tool.cnnlint]\nignore = ["CNN1"]\n', "app.py": RAW})
    assert codes_of(cnnlint("--config", "conf/pyproject.toml", "app.py", cwd=tmp_path)) == [("app.py", "CNN203")]


def test_bad_settings_are_one_line_naming_the_key(tmp_path):
    cases = {
        'select = ["CNN999"]': "select: unknown rule code or prefix 'CNN999'",
        'ignore = "CNN101"': "ignore: expected a list of strings",
        "colour = true": "unknown key 'colour'",
        'respect-gitignore = "yes"': "respect-gitignore: expected true or false",
        'per-file-ignores = { "a.py" = ["NOPE"] }': "per-file-ignores.'a.py': unknown rule code or prefix 'NOPE'",
        "select = [": "invalid TOML",
    }
    for text, expected in cases.items():
        (tmp_path / "pyproject.toml").write_text(f"[tool.cnnlint]\n{text}\n")
        result = cnnlint(".", cwd=tmp_path)
        assert result.returncode == 2, text
        assert result.stderr.startswith("cnnlint: error: ") and result.stderr.count("\n") == 1, result.stderr
        assert expected in result.stderr, (text, result.stderr)
        assert "Traceback" not in result.stderr


def test_exclude_extend_exclude_and_gitignore(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": '[tool.cnnlint]\nextend-exclude = ["generated/", "*_draft.py"]\n',
        ".gitignore": "scratch/\n*.tmp.py\n",
        "app.py": RAW, "generated/a.py": RAW, "old_draft.py": RAW, "scratch/b.py": RAW, "c.tmp.py": RAW,
        "build/d.py": RAW})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert {p for p, _ in codes_of(cnnlint(".", cwd=tmp_path))} == {"app.py"}
    found = {p for p, _ in codes_of(cnnlint("--no-respect-gitignore", ".", cwd=tmp_path))}
    assert found == {"app.py", "scratch/b.py", "c.tmp.py"}
    found = {p for p, _ in codes_of(cnnlint("--exclude", "app.py", "--no-respect-gitignore", ".", cwd=tmp_path))}
    assert found == {"scratch/b.py", "c.tmp.py", "build/d.py"}  # extend-exclude still applies
    # a file named on the command line is linted, unless --force-exclude (pre-commit names every file)
    assert codes_of(cnnlint("generated/a.py", cwd=tmp_path)) != []
    assert cnnlint("--force-exclude", "generated/a.py", "scratch/b.py", cwd=tmp_path).stdout == ""


def test_stdin_for_editors(tmp_path):
    write_files(tmp_path, {"helpers.py": """
        from keras.utils import img_to_array, load_img
        def load(path):
            return img_to_array(load_img(path, target_size=(224, 224)))[None]
    """})
    buffer = "from keras.applications import ResNet50\nfrom helpers import load\nResNet50().predict(load('a.jpg'))\n"
    result = cnnlint("--stdin-filename", "editing.py", "-", cwd=tmp_path, stdin=buffer)
    assert result.returncode == 1
    assert result.stdout.startswith("editing.py:3:1: CNN101 ")
    assert not (tmp_path / "editing.py").exists()
    clean = cnnlint("--stdin-filename", "new/clean.py", "--format", "json", "-", cwd=tmp_path, stdin=CLEAN)
    assert (clean.returncode, json.loads(clean.stdout)) == (0, [])
    assert cnnlint("--stdin-filename", "x.py", "other.py", cwd=tmp_path, stdin="").returncode == 2


def test_show_suppressed_statistics_quiet(tmp_path):
    write_files(tmp_path, {"a.py": RAW.replace("predict(x)", "predict(x)  # noqa: CNN203"), "b.py": RAW})
    result = cnnlint(".", cwd=tmp_path)
    assert "1 suppressed" in result.stderr
    shown = cnnlint("--show-suppressed", ".", cwd=tmp_path)
    assert len(shown.stdout.splitlines()) == len(result.stdout.splitlines()) + 1
    stats = cnnlint("--statistics", ".", cwd=tmp_path)
    assert stats.stdout.splitlines() == ["    2  CNN101  missing-preprocess-input",
                                         "    1  CNN203  missing-batch-axis"]
    quiet = cnnlint("-q", ".", cwd=tmp_path)
    assert quiet.stderr == "" and quiet.stdout == result.stdout and quiet.returncode == 1


def test_gitignore_rules_agree_with_git(tmp_path):
    """Nested .gitignore files, anchored and slashed patterns, negations: the files discovered are
    the ones git itself does not ignore."""
    write_files(tmp_path, {
        ".gitignore": "/top_only.py\nsub/*.py\n!sub/keep.py\ndeep/**/gen_*.py\n*.ipynb\n!notes/*.ipynb\n",
        "top_only.py": "", "a/top_only.py": "", "sub/x.py": "", "sub/keep.py": "", "a/sub/y.py": "",
        "deep/one/two/gen_a.py": "", "deep/gen_b.py": "", "deep/one/ok.py": "", "n.ipynb": "{}",
        "notes/n.ipynb": "{}",
        "pkg/.gitignore": "local.py\n/anchored/\n", "pkg/local.py": "", "pkg/inner/local.py": "",
        "pkg/anchored/z.py": "", "pkg/inner/anchored/z.py": "", "pkg/fine.py": "",
        "with space/é.py": "",
    })
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=tmp_path, check=True,
                            capture_output=True).stdout.decode().split("\0")
    expected = {p for p in listed if p.endswith((".py", ".ipynb"))}
    found = {p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], (), True, tmp_path)}
    assert found == expected
    assert "a/top_only.py" in found and "sub/x.py" not in found  # the tree exercises both sides
