"""[tool.cnnlint] in pyproject.toml, the flags that override it, exclusions, editors' standard input."""
from __future__ import annotations

import json
import subprocess

import pytest

from cnnlint.sources import Ignorer, discover
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
    assert stats.stdout.splitlines() == ["    2  CNN101  [ ] missing-preprocess-input",
                                         "    1  CNN203  [*] missing-batch-axis"]  # ruff's fixable marks
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
    found = {p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], lambda folder: Ignorer((), tmp_path, True))}
    assert found == expected
    assert "a/top_only.py" in found and "sub/x.py" not in found  # the tree exercises both sides


# -- issue 16: each file's nearest configuration, selection layered as ruff layers it ----------

MONOREPO = {
    "a/pyproject.toml": '[tool.cnnlint]\nignore = ["CNN203"]\nextend-exclude = ["gen/"]\n'
                        'per-file-ignores = { "scripts/*.py" = ["ALL"] }\n',
    "b/pyproject.toml": '[tool.cnnlint]\nignore = ["CNN101"]\n',
    "b/sub/pyproject.toml": "[project]\nname = 'no-cnnlint-table-here'\n",
    "a/app.py": RAW, "a/gen/made.py": RAW, "a/scripts/try.py": RAW, "b/app.py": RAW, "b/gen/made.py": RAW,
    "b/sub/deeper.py": RAW, "b/scripts/try.py": RAW,
}
MONOREPO_FINDINGS = [("a/app.py", "CNN101"), ("b/app.py", "CNN203"), ("b/gen/made.py", "CNN203"),
                     ("b/scripts/try.py", "CNN203"), ("b/sub/deeper.py", "CNN203")]


def test_each_file_takes_its_nearest_configuration(tmp_path):
    write_files(tmp_path, MONOREPO)
    first, second = cnnlint("a", "b", cwd=tmp_path), cnnlint("b", "a", cwd=tmp_path)
    assert codes_of(first) == codes_of(second) == MONOREPO_FINDINGS
    assert first.stdout == second.stdout
    # pre-commit in a monorepo: every staged file named, each project's exclusions hold for its own files
    staged = sorted(p for p in MONOREPO if p.endswith(".py"))
    assert codes_of(cnnlint("--force-exclude", *staged, cwd=tmp_path)) == MONOREPO_FINDINGS
    # --config names one configuration for every file
    assert {code for _, code in codes_of(cnnlint("--config", "b/pyproject.toml", "a", "b", cwd=tmp_path))} == {
        "CNN203"}


def test_settings_for_a_file_and_show_settings(tmp_path):
    from cnnlint.config import Overrides, settings_for

    write_files(tmp_path, MONOREPO)
    settings = settings_for(tmp_path / "b" / "sub" / "deeper.py")
    assert settings.source == tmp_path / "b" / "pyproject.toml" and settings.ignore == ("CNN101",)
    assert settings_for(tmp_path / "elsewhere.py").source is None  # no configuration above it: the defaults
    layered = settings_for(tmp_path / "a" / "app.py", Overrides(select=("CNN203",)))
    assert [r.code for r in layered.rules] == ["CNN203"]  # the command line's select replaces the ignore
    shown = cnnlint("--show-settings", "a/app.py", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.startswith("Resolved settings for: a/app.py\n")
    assert f"Settings path: {tmp_path / 'a' / 'pyproject.toml'}\n" in shown.stdout
    assert 'ignore = ["CNN203"]\n' in shown.stdout and '"CNN203"' not in shown.stdout.split("rules = ")[1]


SELECTIONS = [
    # (configuration, command line, codes reported for RAW: CNN101 and CNN203)
    ('ignore = ["CNN101"]', ["--select", "CNN101"], {"CNN101"}),  # select replaces the config's ignore
    ('ignore = ["CNN101"]', ["--ignore", "CNN203"], set()),  # ignore adds to it
    ('select = ["CNN203"]', ["--extend-select", "CNN101"], {"CNN101", "CNN203"}),
    ("", ["--select", "CNN101", "--select", "CNN203"], {"CNN101", "CNN203"}),  # repeated: accumulates
    ("", ["--ignore", "CNN101", "--ignore", "CNN203"], set()),
    ("", ["--select", "CNN203", "--ignore", "CNN2"], {"CNN203"}),  # the more specific pattern wins
    ("", ["--select", "CNN2", "--ignore", "CNN203"], set()),
    ('select = ["CNN1"]\nignore = ["CNN101"]', [], set()),
    ('select = []\nextend-select = ["CNN203"]', [], {"CNN203"}),
]


@pytest.mark.parametrize("config, flags, expected", SELECTIONS, ids=range(len(SELECTIONS)))
def test_selection_layers_like_ruff(tmp_path, config, flags, expected):
    """In-process, as the command line builds it; one case through the real command line below."""
    from cnnlint.config import Configs, Overrides
    from cnnlint.lint import lint

    write_files(tmp_path, {"pyproject.toml": f"[tool.cnnlint]\n{config}\n", "app.py": RAW})
    options = {"select": None, "ignore": None, "extend_select": None}
    for flag, value in zip(flags[::2], flags[1::2]):
        key = flag.lstrip("-").replace("-", "_")
        options[key] = (options[key] or ()) + (value,)
    overrides = Overrides(options["select"], options["extend_select"] or (), options["ignore"] or ())
    assert {f.code for f in lint([tmp_path], settings=Configs(overrides)).findings} == expected


def test_command_line_select_overrides_the_configurations_ignore(tmp_path):
    write_files(tmp_path, {"pyproject.toml": '[tool.cnnlint]\nignore = ["CNN101"]\n', "app.py": RAW})
    assert codes_of(cnnlint("--select", "CNN101", "--select", "CNN203", ".", cwd=tmp_path)) == [
        ("app.py", "CNN101"), ("app.py", "CNN203")]


def test_per_file_ignores_values_are_lists_of_codes(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.cnnlint]\nper-file-ignores = { "a.py" = "CNN101" }\n')
    result = cnnlint(".", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "[tool.cnnlint] per-file-ignores.'a.py': expected a list of strings, got 'CNN101'" in result.stderr
