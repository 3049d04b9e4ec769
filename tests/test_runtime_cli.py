"""``cnnlint run`` as users run it: a fresh interpreter, real scripts, exit statuses, outputs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from conftest import cnnlint

pytestmark = pytest.mark.tensorflow
pytest.importorskip("keras")

BAD = """\
import sys
import numpy as np
from tensorflow import keras
model = keras.applications.MobileNetV2(weights={weights!r}, alpha=0.35, input_shape=(96, 96, 3))
pixels = np.random.default_rng(0).integers(0, 256, size=(9, 96, 96, 3)).astype("float32")
print("script says", sys.argv)
model.predict(pixels, verbose=0)
print("script done")
"""


@pytest.fixture
def bad_script(tmp_path, weights):
    path = tmp_path / "classify.py"
    path.write_text(BAD.format(weights=weights["MobileNetV2"]))
    return path


def test_json_is_the_report_alone_and_a_picture(bad_script, tmp_path):
    """`cnnlint run --format json s.py | jq` works: the script's own output goes to standard error."""
    done = cnnlint("run", "--format", "json", "--html", "page.html", "./classify.py", "--top", "5", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "script says ['./classify.py', '--top', '5']\nscript done\n" in done.stderr  # argv[0] as typed
    data = json.loads(done.stdout)
    assert [(f["code"], f["line"]) for f in data["findings"] if f["code"] != "CNN900"] == [("CNN101", 7)]
    assert data["findings"][0]["measured"]["max"] == [255.0, 255.0, 255.0]
    assert data["sites"][0]["base"]["name"] == "MobileNetV2"
    assert [(s["code"], s["status"]) for s in data["static"]] == []  # random pixels: statically unknown
    page = (tmp_path / "page.html").read_text()
    assert page.count("data:image/png;base64,") == 1 and "CNN101" in page and "<script" not in page


def test_text_report_on_stderr_and_the_scripts_own_traceback(bad_script, tmp_path):
    bad_script.write_text(bad_script.read_text() + "raise ValueError('the script failed')\n")
    done = cnnlint("run", "classify.py", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == "script says ['classify.py']\nscript done\n"
    # python 3.9+ shows the main script by its absolute path, and so does cnnlint run
    assert f'File "{bad_script}", line 9, in <module>' in done.stderr and "ValueError: the script failed" in done.stderr
    assert "cnnlint/runtime" not in done.stderr and "runpy" not in done.stderr
    assert "classify.py:7: CNN101 MobileNetV2 expects tf-mode input" in done.stderr


def test_module_with_its_exit_status_and_report_file(tmp_path, weights):
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text("import sys\nprint('module ran')\nsys.exit(3)\n")
    done = cnnlint("run", "-o", "report.txt", "-m", "app.main", cwd=tmp_path)
    assert done.returncode == 3 and done.stdout == "module ran\n"
    assert "no Keras or PyTorch model was called" in (tmp_path / "report.txt").read_text()


def test_interrupt_prints_what_was_gathered(tmp_path, weights):
    (tmp_path / "forever.py").write_text(textwrap.dedent(f"""\
        import numpy as np
        from tensorflow import keras
        model = keras.applications.MobileNetV2(weights={weights["MobileNetV2"]!r}, alpha=0.35, input_shape=(96, 96, 3))
        pixels = np.random.default_rng(0).integers(0, 256, size=(2, 96, 96, 3)).astype("float32")
        model.predict(pixels, verbose=0)
        print("predicted", flush=True)
        while True:
            pass
    """))
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}  # SIGABRT then prints every thread's stack
    # A shell starts background jobs with SIGINT ignored, and python keeps an ignored SIGINT ignored
    # (so would `python forever.py`): give the child the default, as a terminal would.
    process = subprocess.Popen([sys.executable, "-m", "cnnlint", "run", "forever.py"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout.readline() == "predicted\n"
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # a hang: show where every thread is
        process.send_signal(signal.SIGABRT)
        out, err = process.communicate(timeout=60)
        pytest.fail(f"cnnlint run did not end within 120 s of Ctrl-C; its threads:\n{err[-8000:]}")
    assert process.returncode == 130
    assert "KeyboardInterrupt" in err and "forever.py:5: CNN101" in err


def test_without_tensorflow_or_torch_one_line_and_status_2(tmp_path):
    (tmp_path / "script.py").write_text("print('never runs')\n")
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""\
        import sys
        for name in ("tensorflow", "keras", "tf_keras", "torch"):  # as if neither framework were installed
            sys.modules[name] = None
    """))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "cnnlint", "run", "script.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "cnnlint: error: the runtime mode needs TensorFlow (pip install 'cnnlint[runtime]') or PyTorch"]
    lint = subprocess.run([sys.executable, "-m", "cnnlint", "script.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0  # the static linter never needs it


def test_missing_script(tmp_path):
    done = cnnlint("run", "nowhere.py", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.strip() == "cnnlint: error: no such script: nowhere.py"


# -- regressions from the review of the runtime mode ----------------------------------------

def run_script(tmp_path, source: str, *options: str) -> subprocess.CompletedProcess:
    (tmp_path / "script.py").write_text(textwrap.dedent(source))
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-m", "cnnlint", "run", *options, "script.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_scripts_streams_and_excepthook_are_its_own(tmp_path):
    done = run_script(tmp_path, """\
        import io, sys
        sys.excepthook = lambda kind, error, tb: print("custom hook:", error, file=sys.__stderr__)
        sys.stdout = io.StringIO()  # the script swallows its own output
        print("swallowed")
        raise RuntimeError("boom")
    """, "--format", "json")
    assert done.returncode == 1 and "custom hook: boom" in done.stderr and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["sites"] == []  # the report still reaches the real stdout


def test_a_closed_stdout_and_a_fork(tmp_path):
    done = run_script(tmp_path, """\
        import os, sys
        if os.fork() == 0:
            print("child")
        else:
            os.wait()
            print("parent")
    """, "--format", "json")
    assert done.returncode == 0 and done.stdout.count('"sites"') == 1, done.stdout
    closed = run_script(tmp_path, "import sys\nsys.stdout.close()\n", "-o", "report.txt")
    assert closed.returncode == 0 and "Traceback" not in closed.stderr


def test_keras_and_tensorflow_load_when_the_script_imports_them(tmp_path):
    """Not before: settings the script makes first (KERAS_BACKEND, TF_CPP_MIN_LOG_LEVEL) still apply."""
    done = run_script(tmp_path, """\
        import os, sys
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules
        os.environ["KERAS_BACKEND"] = "tensorflow"
        import keras
        print(keras.backend.backend(), hasattr(keras.Model.predict, "__wrapped__"))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "tensorflow True\n"  # patched as soon as it was imported


def test_report_paths_are_where_the_command_was_typed(tmp_path, bad_script):
    (tmp_path / "elsewhere").mkdir()
    bad_script.write_text("import os\nos.chdir('elsewhere')\n" + bad_script.read_text())
    done = cnnlint("run", "-o", "report.txt", "--html", "page.html", "classify.py", cwd=tmp_path)
    assert done.returncode == 1
    assert (tmp_path / "report.txt").exists() and (tmp_path / "page.html").exists()
    assert "\nclassify.py:9: " in (tmp_path / "report.txt").read_text()  # paths from where the command was typed


# -- issue 16: reports checked first, configuration and noqa, notebooks ---------------------------

def test_report_paths_are_checked_before_the_script_runs(tmp_path):
    (tmp_path / "script.py").write_text("open('ran', 'w').close()\n")
    (tmp_path / "afile").write_text("")
    for option in ("-o", "--html"):
        for path in ("missing/report.txt", "afile/report.txt", "."):
            done = cnnlint("run", option, path, "script.py", cwd=tmp_path)
            assert done.returncode == 2 and done.stderr.startswith("cnnlint: error: cannot write the report to "), \
                done.stderr
            assert done.stderr.count("\n") == 1
    assert not (tmp_path / "ran").exists()


CONFIGURED = """\
import numpy as np
from tensorflow import keras
model = keras.applications.MobileNetV2(weights={weights!r}, alpha=0.35, input_shape=(96, 96, 3))
pixels = np.random.default_rng(0).integers(0, 256, size=(9, 96, 96, 3)).astype("float32")
model.predict(pixels, verbose=0)  # noqa: CNN101
model.predict(pixels / 255, verbose=0)
"""


def test_configuration_select_and_noqa_apply_to_runtime_findings(tmp_path, weights):
    (tmp_path / "script.py").write_text(CONFIGURED.format(weights=weights["MobileNetV2"]))
    (tmp_path / "pyproject.toml").write_text('[tool.cnnlint]\nignore = ["CNN900"]\n')
    done = cnnlint("run", "--ignore", "CNN104", "--format", "json", "script.py", cwd=tmp_path)
    data = json.loads(done.stdout)
    assert data["findings"] == [] and [(f["code"], f["line"]) for f in data["suppressed"]] == [("CNN101", 5)]
    assert done.returncode == 0, done.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.cnnlint]\nignore = ["CNN9999"]\n')
    broken = cnnlint("run", "script.py", cwd=tmp_path)  # stops before the script runs
    assert broken.returncode == 2 and "unknown rule code or prefix 'CNN9999'" in broken.stderr


def test_a_notebook_runs_its_code_cells_in_order(tmp_path, weights):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    from PIL import Image

    folder = tmp_path / "notes"
    folder.mkdir()
    Image.fromarray(np.random.default_rng(2).integers(0, 256, (120, 100, 3), dtype=np.uint8)).save(folder / "cat.png")
    cells = [
        new_markdown_cell("# Classify"),
        new_code_cell("%matplotlib inline\n!pip install nothing\nimport numpy as np\nfrom tensorflow import keras"),
        new_code_cell(f"model = keras.applications.MobileNetV2(weights={weights['MobileNetV2']!r}, alpha=0.35, "
                      "input_shape=(96, 96, 3))"),
        new_code_cell("x = keras.utils.img_to_array(keras.utils.load_img('cat.png', target_size=(96, 96)))\n"
                      "probs = model.predict(np.expand_dims(x, 0), verbose=0)\nprint('cell 4 ran')"),
        new_code_cell("raise ValueError('stop here')"),
        new_code_cell("print('never')"),
    ]
    nbformat.write(new_notebook(cells=cells), str(folder / "nb.ipynb"))
    done = cnnlint("run", "notes/nb.ipynb", cwd=tmp_path)  # in the notebook's folder, as Jupyter runs it
    assert done.returncode == 1 and done.stdout == "cell 4 ran\n", done.stderr
    assert "cnnlint run: not run in notes/nb.ipynb (IPython syntax): cell 2, line 1: %matplotlib inline; " \
           "cell 2, line 2: !pip install nothing\n" in done.stderr
    assert 'File "notes/nb.ipynb, cell 5", line 1, in <module>' in done.stderr
    assert "ValueError: stop here" in done.stderr
    assert "\nnotes/nb.ipynb:cell 4:2: CNN101 MobileNetV2 expects" in done.stderr
    assert "notes/nb.ipynb:cell 4:2:9: CNN101" in done.stderr  # the static finding, confirmed
    assert "-> confirmed: observed CNN101 at notes/nb.ipynb:cell 4:2, see above" in done.stderr
    nb = nbformat.read(str(folder / "nb.ipynb"), as_version=4)
    nb.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    nbformat.write(nb, str(folder / "r.ipynb"))
    refused = cnnlint("run", "notes/r.ipynb", cwd=tmp_path)
    assert (refused.returncode, refused.stderr) == (
        2, "cnnlint: error: notes/r.ipynb: the notebook's kernel is R, not Python\n")
