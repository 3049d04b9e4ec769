"""Suppression comments: unknown codes are warned about, unused ones are CNN001 when selected (ruff's
RUF100), and --add-noqa writes them (issue 16)."""
from __future__ import annotations

from conftest import cnnlint, write_files
from test_cli import RAW

COMMENTED = RAW.replace("ResNet50().predict(x)", "ResNet50().predict(x)  # noqa: CNN203, CNN999, E501") + (
    "y = 1  # cnnlint: ignore[CNN101, bogus]\n"
    "z = 2  # noqa\n"  # a bare noqa may be there for another tool: not judged
    "w = 3  # noqa: E501, F401\n")  # other tools' codes: not ours


def test_unknown_codes_warn_and_unused_suppressions_are_cnn001_when_selected(tmp_path):
    write_files(tmp_path, {"app.py": COMMENTED})
    default = cnnlint("app.py", cwd=tmp_path)
    assert [line.split()[1] for line in default.stdout.splitlines()] == ["CNN101"]  # CNN001 is off by default
    assert "cnnlint: warning: app.py:5: unknown rule code 'CNN999' in a `noqa` comment\n" in default.stderr
    assert "cnnlint: warning: app.py:6: unknown rule code 'BOGUS' in a `cnnlint: ignore` comment\n" in default.stderr
    selected = cnnlint("--extend-select", "CNN001", "--ignore", "CNN101", "app.py", cwd=tmp_path)
    assert selected.stdout.splitlines() == [
        "app.py:5:24: CNN001 unused `noqa` directive (unknown: `CNN999`)",
        "app.py:6:8: CNN001 unused `cnnlint: ignore` directive (non-enabled: `CNN101`; unknown: `BOGUS`)"]
    assert selected.returncode == 1


def test_add_noqa_merges_appends_and_is_idempotent(tmp_path):
    source = RAW.replace("ResNet50().predict(x)", "ResNet50().predict(x)  # noqa: E501 (long line)") + (
        's = """\ntext"""; ResNet50().predict(x)  # one more\n'
        "ResNet50().predict(x) \\\n    .argmax()\n")
    (tmp_path / "app.py").write_bytes(source.replace("\n", "\r\n").encode())
    first = cnnlint("--add-noqa", "app.py", cwd=tmp_path)
    assert first.returncode == 0 and first.stdout == ""
    assert "Added 2 noqa directives." in first.stderr
    assert "app.py:8: no noqa comment added: the line ends inside a string or continues" in first.stderr
    lines = (tmp_path / "app.py").read_bytes().decode().split("\r\n")  # line endings kept
    assert lines[4] == "ResNet50().predict(x)  # noqa: E501, CNN101, CNN203 (long line)"
    assert lines[6] == 'text"""; ResNet50().predict(x)  # one more  # noqa: CNN101, CNN203'
    again = cnnlint("--add-noqa", "app.py", cwd=tmp_path)
    assert "Added 0 noqa directives." in again.stderr
    assert cnnlint("--add-noqa", "-", cwd=tmp_path, stdin=RAW).returncode == 2
