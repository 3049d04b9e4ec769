"""The command line as users run it: paths, formats, selection, exit codes, bad input."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, cnnlint, write_files

RAW = """\
import numpy as np
from keras.applications import ResNet50
from keras.utils import img_to_array, load_img
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
ResNet50().predict(x)
"""
CLEAN = """\
import numpy as np
from keras.applications.resnet50 import ResNet50, preprocess_input
from keras.utils import img_to_array, load_img
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
ResNet50().predict(preprocess_input(x[None]))
"""


def test_findings_exit_1_text_lines_and_summary(tmp_path):
    write_files(tmp_path, {"b.py": RAW, "a.py": RAW})
    result = cnnlint(".", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(" ")[:3] for line in lines] == [
        ["a.py:5:1:", "CNN101", "ResNet50"], ["a.py:5:1:", "CNN203", "[*]"], ["b.py:5:1:", "CNN101", "ResNet50"],
        ["b.py:5:1:", "CNN203", "[*]"]]  # [*]: a certain fix is offered, as ruff marks them
    assert result.stderr.splitlines() == ["Found 4 problems in 2 files (2 files checked).",
                                          "[*] 2 fixable with the `--fix` option."]


def test_clean_exit_0(tmp_path):
    write_files(tmp_path, {"ok.py": CLEAN})
    result = cnnlint(str(tmp_path))
    assert (result.returncode, result.stdout) == (0, "")
    assert "All checks passed (1 file checked)." in result.stderr


def test_no_path_lints_the_current_folder(tmp_path):
    write_files(tmp_path, {"sub/raw.py": RAW})
    result = cnnlint(cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("sub/raw.py:5:1: CNN101")


def test_json_is_always_a_list(tmp_path):
    write_files(tmp_path, {"ok.py": CLEAN})
    assert json.loads(cnnlint("--format", "json", str(tmp_path)).stdout) == []
    write_files(tmp_path, {"raw.py": RAW})
    result = cnnlint("--format", "json", "raw.py", cwd=tmp_path)
    found = json.loads(result.stdout)
    assert result.returncode == 1
    assert found[0] == {
        "path": "raw.py", "line": 5, "column": 1, "end_line": 5, "end_column": 22, "code": "CNN101",
        "name": "missing-preprocess-input", "message": found[0]["message"], "cell": None, "fixable": False}
    assert found[1]["code"] == "CNN203" and found[1]["fixable"] is True
    assert "ResNet50 expects caffe-mode input" in found[0]["message"]


def test_select_and_ignore_by_code_and_prefix(tmp_path):
    write_files(tmp_path, {"raw.py": RAW})
    codes = lambda *args: {line.split()[1] for line in cnnlint(*args, "raw.py", cwd=tmp_path).stdout.splitlines()}
    assert codes("--select", "CNN2") == {"CNN203"}
    assert codes("--ignore", "CNN203") == {"CNN101"}
    assert codes("--select", "cnn101,CNN203") == {"CNN101", "CNN203"}
    result = cnnlint("--select", "CNN2", "--ignore", "CNN203", "raw.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_usage_errors_exit_2_with_one_line(tmp_path):
    for args in (["no/such/path.py"], ["--select", "XYZ1"], ["--format", "yaml", "."], ["--bogus"]):
        result = cnnlint(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert result.stderr.startswith("cnnlint: error: ")
        assert result.stderr.count("\n") == 1, result.stderr


def test_server_without_the_lsp_extra_says_how_to_get_it():
    without_pygls = "import sys; sys.modules['pygls'] = None; from cnnlint.cli import main; main(['server'])"
    result = subprocess.run([sys.executable, "-c", without_pygls], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (
        2, "cnnlint: error: the language server needs the lsp extra: pip install 'cnnlint[lsp]'\n")


def test_version():
    result = cnnlint("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("cnnlint, version ")


def test_suppressions_on_the_reported_line(tmp_path):
    source = RAW.replace("ResNet50().predict(x)", "ResNet50().predict(x)  # noqa: CNN203")
    write_files(tmp_path, {"a.py": source, "b.py": source.replace("# noqa: CNN203", "# noqa"),
                           "c.py": source.replace("# noqa: CNN203", "# cnnlint: ignore[CNN101, CNN203]")})
    result = cnnlint(".", cwd=tmp_path)
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [["a.py:5:1:", "CNN101"]]


def test_skips_virtualenvs_git_and_caches(tmp_path):
    for folder in (".git", ".venv", "build", "__pycache__", "myenv"):
        write_files(tmp_path, {f"{folder}/raw.py": RAW})
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    result = cnnlint(".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert "(0 files checked)" in result.stderr


def test_explicit_file_is_linted_even_inside_a_skipped_folder(tmp_path):
    write_files(tmp_path, {"build/raw.py": RAW})
    assert cnnlint("build/raw.py", cwd=tmp_path).returncode == 1


def test_broken_files_are_cnn000_and_the_run_goes_on(tmp_path):
    write_files(tmp_path, {"py2.py": 'from keras.applications import VGG16\nprint "hello"\n', "raw.py": RAW, "empty.py": "",
                           "notebook_export.py": "!pip install keras\n%matplotlib inline\n" + CLEAN})
    (tmp_path / "latin.py").write_bytes(b"from keras.applications import VGG16\nname = '\xe9t\xe9'\n")
    (tmp_path / "declared.py").write_bytes(b"# -*- coding: latin-1 -*-\nfrom keras.applications import VGG16\nname = '\xe9t\xe9'\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + CLEAN.encode())
    (tmp_path / "nul.py").write_bytes(b"from keras.applications import VGG16\x00\n")
    (tmp_path / "binary.py").write_bytes(bytes(range(256)) * 4 + b"keras.applications")
    (tmp_path / "crlf.py").write_bytes(RAW.replace("\n", "\r\n").encode())
    result = cnnlint("--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "warning" not in result.stderr
    found = {(f["path"], f["code"]) for f in json.loads(result.stdout)}
    assert found == {("py2.py", "CNN000"), ("latin.py", "CNN000"), ("nul.py", "CNN000"), ("binary.py", "CNN000"),
                     ("raw.py", "CNN101"), ("raw.py", "CNN203"), ("crlf.py", "CNN101"), ("crlf.py", "CNN203")}
    py2 = [f for f in json.loads(result.stdout) if f["path"] == "py2.py"][0]
    assert py2["line"] == 2 and py2["message"].startswith("cannot parse")


def test_huge_and_deeply_nested_files(tmp_path):
    big = CLEAN + "values = [\n" + "    1,\n" * 20_000 + "]\n"
    deep = "from keras.applications import VGG16\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    write_files(tmp_path, {"big.py": big, "deep.py": deep})
    result = cnnlint("--format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert {f["path"] for f in json.loads(result.stdout)} <= {"deep.py"}


def test_python_dash_m_and_examples():
    result = cnnlint("examples/buggy", cwd=REPO)
    assert result.returncode == 1
    codes = {line.split()[1] for line in result.stdout.splitlines()}
    assert codes == {"CNN101", "CNN102", "CNN103", "CNN104", "CNN201", "CNN202", "CNN203", "CNN204", "CNN301", "CNN404",
                     "CNN501", "CNN601", "CNN603", "CNN604", "CNN605"}
    assert cnnlint("examples/fixed", cwd=REPO).returncode == 0


def test_what_cpython_accepts_is_not_a_parse_error(tmp_path):
    # consistent tab/space indentation CPython runs (libcst's tokenizer refuses it on its own)
    (tmp_path / "tabs.py").write_text("from keras.applications import VGG16\ndef f(n):\n \tfor i in range(n):\n         print(i)\n")
    compile((tmp_path / "tabs.py").read_text(), "tabs.py", "exec")
    result = cnnlint("tabs.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


# -- the flags a ruff user reaches for (issue 16) ---------------------------------------------

def test_check_alias_exit_zero_and_output_file(tmp_path):
    write_files(tmp_path, {"raw.py": RAW})
    result = cnnlint("check", "--exit-zero", "-o", "reports/lint.txt", "raw.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert (tmp_path / "reports" / "lint.txt").read_text().startswith("raw.py:5:1: CNN101 ")
    assert "Found 2 problems" in result.stderr  # the summary stays on standard error
    (tmp_path / "afile").write_text("")
    refused = cnnlint("-o", "afile/lint.txt", "raw.py", cwd=tmp_path)  # checked before the run
    assert refused.returncode == 2 and refused.stderr.startswith("cnnlint: error: cannot write afile/lint.txt")
    assert refused.stderr.count("\n") == 1


def test_standard_input_as_dash_with_fix_diff_and_statistics(tmp_path):
    write_files(tmp_path, {"ok.py": "print('nothing here')\n"})
    plain = cnnlint("-", cwd=tmp_path, stdin=RAW)
    assert plain.returncode == 1 and plain.stdout.startswith("-:5:1: CNN101 ")
    fixed = cnnlint("--fix", "-", cwd=tmp_path, stdin=RAW)  # the fixed code on stdout, findings on stderr
    assert fixed.stdout == RAW.replace("predict(x)", "predict(np.expand_dims(x, 0))")
    assert "-:5:1: CNN101 " in fixed.stderr and "1 fixed, 1 remaining" in fixed.stderr and fixed.returncode == 1
    diff = cnnlint("--diff", "--stdin-filename", "app.py", "-", cwd=tmp_path, stdin=RAW)
    assert diff.stdout.startswith("--- a/app.py\n+++ b/app.py\n") and diff.returncode == 1
    stats = cnnlint("--statistics", "--format", "json", "-", cwd=tmp_path, stdin=RAW)
    assert json.loads(stats.stdout) == [
        {"code": "CNN101", "name": "missing-preprocess-input", "count": 1, "fixable": False},
        {"code": "CNN203", "name": "missing-batch-axis", "count": 1, "fixable": True}]
    assert cnnlint("-", "ok.py", cwd=tmp_path, stdin=RAW).returncode == 2


def test_show_fixes_lists_what_was_fixed(tmp_path):
    write_files(tmp_path, {"a.py": RAW, "b.py": RAW})
    result = cnnlint("--fix", "--show-fixes", ".", cwd=tmp_path)
    assert "Fixed 2 problems:\n- a.py:\n    1 × CNN203 (missing-batch-axis)\n- b.py:\n" in result.stderr


def test_empty_folder_warns_like_ruff(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cnnlint("empty", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == "cnnlint: warning: no Python files or notebooks found in empty"
