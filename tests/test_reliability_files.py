"""Hostile files: whatever bytes a repository holds, each file is clean or one CNN000 with a clear
reason, the run goes on, exits 0 or 1, and prints no traceback. Every file mentions Keras, so the
relevance prefilter lets it through to decoding, parsing and analysis.

The command line runs under a memory limit and a timeout, so "survives" also means "in bounded
time and memory": a 20 MB file, 10,000-deep expressions and constant folding of ``10 ** 10 ** 8``
once cost minutes or gigabytes.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys

from cnnlint.lint import lint
from cnnlint.rules import ALL_RULES
from conftest import cnnlint, cnnlint_bounded

K = "from tensorflow.keras.applications import resnet50\n"
MEMORY_LIMIT = 3 * 1024 ** 3  # address space; a normal run needs well under 1 GB


def _nb(cells, version=4) -> bytes:
    if version == 3:
        notebook = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": cells}]}
        return json.dumps(notebook).encode()
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


def _code(source, **extra) -> dict:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source, **extra}


# name -> (bytes, None if clean else a part of the CNN000 message)
FILES: dict[str, tuple[bytes, str | None]] = {
    # encodings and bytes
    "binary.py": (bytes(range(256)) * 16 + b"keras.applications", "cannot decode"),
    "nul.py": ((K + "x = 1\x00\n").encode(), "NUL bytes"),
    "bom.py": (b"\xef\xbb\xbf" + K.encode(), None),
    "latin1_declared.py": (("# -*- coding: latin-1 -*-\n" + K + "s = 'caf\xe9'\n").encode("latin-1"), None),
    "latin1_undeclared.py": ((K + "s = 'caf\xe9'\n").encode("latin-1"), "cannot decode as utf-8"),
    "invalid_utf8.py": (K.encode() + b"s = '\xff\xfe'\n", "cannot decode as utf-8"),
    "unknown_codec.py": (("# -*- coding: klingon -*-\n" + K).encode(), "unknown encoding: klingon"),
    "bom_and_latin1.py": (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\n" + K.encode(), "encoding problem"),
    # line endings and whitespace
    "crlf.py": ((K + "if True:\n    x = 1\n").replace("\n", "\r\n").encode(), None),
    "lone_cr.py": ((K + "if True:\n    x = 1\ny = 2\n").replace("\n", "\r").encode(), None),
    "mixed_endings.py": ((K + "x = 1\r\ny = 2\rz = 3\n").encode(), None),
    "form_feeds.py": ((K + "\f\nx = 1\n\fdef f():\n\f    return 1\n").encode(), None),
    "tabs.py": ((K + "if True:\n\tx = 1\n\tif x:\n\t\ty = 2\n").encode(), None),
    "tabs_and_spaces.py": ((K + "def f(n):\n \tfor i in range(n):\n         print(i)\n").encode(), None),
    "no_final_newline.py": (K.rstrip().encode(), None),
    "empty.py": (b"", None),
    "blank.py": (b"  \n\n\t\n", None),
    "only_a_comment.py": (b"# keras.applications", None),
    "vertical_tab.py": ((K + "x = 1\x0b\n").encode(), "non-printable character U+000B"),
    "unicode_names.py": ((K + "r\u00e9sum\u00e9 = 1\n\u53d8\u91cf = r\u00e9sum\u00e9\n").encode(), None),
    "line_separator.py": ((K + "s = 1  # a\u2028b\nx = 2\n").encode(), None),
    # syntax from other Pythons
    "python2.py": ((K + "print 'hello'\nexec 'x = 1'\n").encode(), "Missing parentheses in call to 'print'"),
    "py312_syntax.py": ((K + "type Point[T] = tuple[T, T]\ndef first[T: int](x: T) -> T:\n    return x\n"
                         "class Box[T]:\n    pass\nname = 'a'\nmatch name:\n    case 'a' | 'b':\n        pass\n"
                         "    case {'k': v, **rest}:\n        pass\n    case [1, *others]:\n        pass\n"
                         "    case _:\n        pass\n").encode(), None),
    "py312_fstrings.py": ((K + "songs = ['a']\nprint(f\"{'\\n'.join(songs)}\")\n"
                           "print(f\"{f\"{f\"{1}\"}\"}\")\n").encode(), None),
    # CPython takes a line of just a backslash before "finally:"; libcst does not (found by fuzz/fuzz_static.py)
    "backslash_line.py": ((K + "def f(): s\ntry:\n\ts\n\\\nfinally: s\n").encode(),
                          "valid Python that libcst cannot parse (line 6, column 1)"),
    # size and depth
    "huge.py": ((K + "values = [\n" + "    1,\n" * 3_000_000 + "]\n").encode(),  # 21 MB
                "cnnlint analyses files up to 2 MB"),
    "long_int_literal.py": ((K + "x = " + "7" * 1_000_000 + "\n").encode(), None),
    "deep_unary.py": ((K + "x = " + "-" * 10_000 + "1\n").encode(), "nested more than 1000 levels"),
    "deep_sum.py": ((K + "x = " + "+".join(["1"] * 10_000) + "\n").encode(), "nested more than 1000 levels"),
    "deep_attribute.py": ((K + "x = a" + ".b" * 10_000 + "\n").encode(), "nested more than 1000 levels"),
    "deep_calls.py": ((K + "x = f" + "()" * 10_000 + "\n").encode(), "nested more than 1000 levels"),
    "deep_subscript.py": ((K + "x = a" + "[0]" * 10_000 + "\n").encode(), "nested more than 1000 levels"),
    "deep_conditional.py": ((K + "x = " + "1 if a else " * 3_000 + "2\n").encode(), "nested more than 1000 levels"),
    "deep_lambda.py": ((K + "x = " + "lambda: " * 3_000 + "1\n").encode(), "nested more than 1000 levels"),
    "deep_in_fstring.py": ((K + "x = f'{" + "-" * 3_000 + "1}'\n").encode(), "nested"),
    "deep_brackets.py": ((K + "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n").encode(), "nested brackets"),
    "deep_indentation.py": ((K + "".join(" " * i + "if x:\n" for i in range(100)) + " " * 100 + "pass\n").encode(),
                            "too many levels of indentation"),
    "long_comparison.py": ((K + "x = " + " < ".join(["a"] * 10_000) + "\n").encode(), None),
    "nested_ok.py": ((K + "x = " + "-" * 900 + "1\n").encode(), None),
    # notebooks
    "not_json.ipynb": (b"{not json, keras.applications", "invalid JSON: Expecting property name enclosed in double "
                                                         "quotes (line 1, column 2)"),
    "empty.ipynb": (b"", None),  # no bytes mention Keras: skipped by the prefilter
    "nbformat3.ipynb": (_nb([{"cell_type": "code", "input": K + "x = 1", "language": "python", "outputs": []}], 3),
                        None),
    "missing_source.ipynb": (_nb([{"cell_type": "code", "metadata": {}, "outputs": []}, _code(K)]), None),
    "outputs_only.ipynb": (_nb([_code("", outputs=[{"output_type": "stream", "name": "stdout",
                                                     "text": "keras.applications"}])]), None),
    "no_cells.ipynb": (b'{"metadata": {"kernel": "keras.applications"}}', "cannot parse notebook"),
    "cells_not_a_list.ipynb": (b'{"nbformat": 4, "cells": {"a": "keras.applications"}}', "cannot parse notebook"),
    "cell_not_an_object.ipynb": (_nb(["keras.applications", 1, None]), "cannot parse notebook"),
    "source_not_text.ipynb": (_nb([_code(5), {"cell_type": "markdown", "source": "keras.applications"}]),
                              "cannot parse notebook"),
    "future_nbformat.ipynb": (b'{"nbformat": 99, "cells": [], "k": "keras.applications"}', "nbformat version"),
    "bom.ipynb": (b"\xef\xbb\xbf" + _nb([_code(K)]), None),
    "latin1.ipynb": (b'{"nbformat": 4, "cells": [], "x": "keras.applications \xe9"}', "cannot parse notebook"),
    "deep_json.ipynb": (b"[" * 100_000 + b"keras.applications" + b"]" * 100_000, "cannot parse notebook"),
    "nul_in_cell.ipynb": (_nb([_code(K + "x = 1\x00")]), "null bytes"),
    "deep_cell.ipynb": (_nb([_code(K + "x = " + "-" * 10_000 + "1")]), "nested more than 1000 levels"),
    "python2_cell.ipynb": (_nb([_code(K), _code("print 'py2'")]), "Missing parentheses"),
}


def limited() -> None:
    """In the child: a cap on memory, so a blow-up fails the test instead of the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(*args, cwd, timeout=120) -> subprocess.CompletedProcess:
    """The command line under the memory cap."""
    return cnnlint_bounded(*args, cwd=cwd, timeout=timeout, preexec_fn=limited)


def test_every_hostile_file_is_clean_or_one_clear_cnn000(tmp_path):
    for name, (data, _) in FILES.items():
        (tmp_path / name).write_bytes(data)
    result = run_limited("--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"Found {sum(e is not None for _, e in FILES.values())} problems in "
                                          f"{sum(e is not None for _, e in FILES.values())} files "
                                          f"({len(FILES)} files checked)."], result.stderr
    found: dict[str, list[dict]] = {}
    for f in json.loads(result.stdout):
        found.setdefault(f["path"], []).append(f)
    for name, (_, expected) in FILES.items():
        if expected is None:
            assert name not in found, found.get(name)
            continue
        (finding,) = found[name]
        assert finding["code"] == "CNN000" and expected in finding["message"], (name, finding["message"])
        assert finding["message"].isprintable() and len(finding["message"]) < 300


def test_text_output_is_one_line_per_finding_with_jobs(tmp_path):
    """The same tree through worker processes, in text: one line per finding, nothing else."""
    for name, (data, _) in FILES.items():
        if name != "huge.py":
            (tmp_path / name).write_bytes(data)
    result = run_limited("--jobs", "2", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == sum(e is not None for n, (_, e) in FILES.items() if n != "huge.py")
    assert all(" CNN000 " in line for line in lines)


# Programs that are cheap to write and were expensive to analyse: constant folding, loops, helpers.
COSTLY = {
    "power.py": "x = 10 ** 10 ** 8\ny = 7 ** 7 ** 7\n",
    "tuple_repeat.py": "x = (1,) * 10 ** 9\n",
    "bytes_repeat.py": "x = b'a' * 10 ** 10\n",
    "string_doubling.py": "s = 'ab'\n" + "s = s + s\n" * 40,
    "tuple_doubling.py": "s = (1, 2)\n" + "s = s + s\n" * 40,
    "nested_for_loops.py": "n = 3\n" + "".join("    " * d + f"for i{d} in range(n):\n" for d in range(19))
                           + "    " * 19 + "x = resnet50.preprocess_input(x)\n",
    "nested_while_loops.py": "".join("    " * d + "while x:\n" for d in range(19)) + "    " * 19 + "x = 1\n",
    "nested_literal_loops.py": "".join("    " * d + f"for i{d} in {list(range(16))}:\n" for d in range(8))
                               + "    " * 8 + "x = i0\n",
    "fan_out.py": "".join(f"def f{k}(x):\n    for i in {list(range(16))}:\n        f{k + 1}(x * 16 + i)\n"
                          for k in range(8)) + "def f8(x):\n    return x\nf0(0)\n",
    "many_classes.py": "".join(f"class C{i}:\n    def m(self):\n        return {i}\n" for i in range(1000)),
}


def test_costly_programs_are_analysed_in_bounded_time_and_memory(tmp_path):
    for name, code in COSTLY.items():
        (tmp_path / name).write_text(K + code)
    result = run_limited("--no-cache", "-j", "1", ".", cwd=tmp_path, timeout=90)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert result.stderr == f"All checks passed ({len(COSTLY)} files checked).\n", result.stderr


def test_bounded_analysis_keeps_the_findings_it_can_prove(tmp_path):
    """The bounds make deep or huge things unknown, not everything: small constants still fold
    (``size = 112 * 2``), and a bug inside ten nested loops is still found."""
    loops = "".join("    " * d + f"for i{d} in range(3):\n" for d in range(10))
    (tmp_path / "app.py").write_text(
        "from keras.applications import ResNet50\nfrom keras.utils import img_to_array, load_img\n"
        "size = 112 * 2\nmodel = ResNet50()\n" + loops +
        "    " * 10 + "x = img_to_array(load_img('a.jpg', target_size=(size, size)))\n" +
        "    " * 10 + "model.predict(x[None])\n")
    codes = {f.code for f in lint([tmp_path], ALL_RULES).findings}
    assert codes == {"CNN101"}


def test_messages_quoting_code_stay_one_printable_line(tmp_path):
    """A message quotes the argument's code: spread over lines, with an ANSI escape in a string."""
    (tmp_path / "app.py").write_text(
        "from keras.applications import ResNet50\nfrom keras.utils import img_to_array, load_img\n"
        "ResNet50().predict(\n    img_to_array(load_img(\n        '\x1b[2J.jpg',\n"
        "        target_size=(224, 224)))[None]\n)\n")
    (finding,) = lint([tmp_path], ALL_RULES).findings
    assert finding.code == "CNN101"
    assert "`img_to_array(load_img( '\\x1b[2J.jpg', target_size=(224, 224)))[None]`" in finding.message
    result = cnnlint("app.py", cwd=tmp_path)
    assert result.stdout.count("\n") == 1 and "\x1b" not in result.stdout


def test_internal_errors_never_stop_the_run(tmp_path):
    """Every hostile file at once in one process: no warning asking for a bug report."""
    for name, (data, _) in FILES.items():
        if name != "huge.py":
            (tmp_path / name).write_bytes(data)
    result = lint([tmp_path], ALL_RULES)
    assert result.warnings == []
    assert {f.code for f in result.findings} == {"CNN000"}


def test_memory_limit_is_real(tmp_path):
    """The limit these tests rely on does stop a blow-up (so a passing test means something)."""
    code = "x = bytearray(8 * 1024 ** 3)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limited)
    assert result.returncode != 0 and "MemoryError" in result.stderr
