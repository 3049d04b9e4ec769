"""Notebooks (written with nbformat): code cells are one program; findings name the cell."""
from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import cnnlint


def write_notebook(path, cells, version=4):
    path.parent.mkdir(parents=True, exist_ok=True)
    if version == 3:
        v3 = nbformat.v3
        old = [v3.new_code_cell(input=c.source) if c.cell_type == "code" else v3.new_text_cell("markdown", c.source)
               for c in cells]
        path.write_text(v3.writes_json(v3.new_notebook(worksheets=[v3.new_worksheet(cells=old)])))
    else:
        nbformat.write(new_notebook(cells=cells), str(path))


CELLS = [
    new_markdown_cell("# Classify a photo"),
    new_code_cell("%matplotlib inline\n!pip install -q tensorflow\nimport numpy as np"),
    new_code_cell("from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras.utils import "
                  "img_to_array, load_img\nmodel = ResNet50(weights='imagenet')"),
    new_code_cell("%%time\nx = img_to_array(load_img('cat.jpg', target_size=(224, 224)))\nfiles = !ls\nmodel?"),
    new_markdown_cell("Predict:"),
    new_code_cell("# the value comes from cell 4\nprobs = model.predict(np.expand_dims(x, 0))"),
]


def test_value_followed_across_cells_and_finding_names_the_cell(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", CELLS)
    result = cnnlint("nb.ipynb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "nb.ipynb:cell 6:2:9: CNN101 ResNet50 expects caffe-mode input (BGR, ImageNet mean subtracted), but "
        "`np.expand_dims(x, 0)` holds raw 0..255 pixels (loaded at cell 4, line 2); apply resnet50.preprocess_input first"]
    (finding,) = json.loads(cnnlint("--format", "json", "nb.ipynb", cwd=tmp_path).stdout)
    assert (finding["cell"], finding["line"], finding["column"]) == (6, 2, 9)


def test_nbformat_3_notebooks_and_folders(tmp_path):
    write_notebook(tmp_path / "sub" / "old.ipynb", CELLS, version=3)
    result = cnnlint(".", cwd=tmp_path)
    assert result.stdout.startswith("sub/old.ipynb:cell ")
    assert "CNN101" in result.stdout


def test_fixed_notebook_is_clean(tmp_path):
    fixed = CELLS[:-1] + [new_code_cell(
        "from tensorflow.keras.applications.resnet50 import preprocess_input\n"
        "probs = model.predict(preprocess_input(np.expand_dims(x, 0)))")]
    write_notebook(tmp_path / "nb.ipynb", fixed)
    result = cnnlint("nb.ipynb", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_broken_notebooks_are_cnn000(tmp_path):
    (tmp_path / "invalid.ipynb").write_text("{not json, keras.applications")
    (tmp_path / "nocells.ipynb").write_text('{"metadata": {"kernel": "keras.applications"}}')
    write_notebook(tmp_path / "syntax.ipynb", [new_code_cell("from keras.applications import VGG16"), new_code_cell("print 'py2'")])
    write_notebook(tmp_path / "outputs_only.ipynb", [new_markdown_cell("nothing to run")])
    result = cnnlint("--format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    found = {(f["path"], f["code"], f["cell"]) for f in json.loads(result.stdout)}
    assert found == {("invalid.ipynb", "CNN000", None), ("nocells.ipynb", "CNN000", None),
                     ("syntax.ipynb", "CNN000", 2)}


def test_ipython_forms_that_are_not_errors(tmp_path):
    cells = [
        new_code_cell("from keras.applications import VGG16"),
        new_code_cell("!pip install \\\n    tensorflow \\\n    keras"),
        new_code_cell("    x = 1\n    y = x + 1"),  # a cell indented as a whole
        new_code_cell("acc = 0.5\nprint('accuracy: %f'\n      % acc)"),  # % continuing an expression
        new_code_cell("a, b = 1, 2\nif (\n    a\n    != b\n):\n    pass"),
        new_code_cell("files = !ls\n%time y = 2"),
    ]
    write_notebook(tmp_path / "nb.ipynb", cells)
    result = cnnlint("nb.ipynb", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout


def test_parse_errors_name_the_cell_and_cpythons_reason(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", [new_code_cell("from keras.applications import VGG16"), new_code_cell("x = 1"),
                                           new_code_cell("image = # YOUR CODE HERE")])
    (finding,) = json.loads(cnnlint("--format", "json", "nb.ipynb", cwd=tmp_path).stdout)
    assert (finding["code"], finding["cell"], finding["line"]) == ("CNN000", 3, 1)
    assert finding["message"] == "cannot parse: invalid syntax; this cell is left out of the analysis (cell 3, line 1, column 9)"


# -- issue 16: kernels, broken notebooks named on the command line, fixes ----------------------

def test_notebooks_of_other_languages_are_skipped(tmp_path):
    nb = new_notebook(cells=[new_code_cell("library(keras)\nx <- load_img('cat.jpg')\nmodel %>% predict(x)")],
                      metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"},
                                "language_info": {"name": "R"}})
    nbformat.write(nb, str(tmp_path / "r.ipynb"))
    result = cnnlint("r.ipynb", cwd=tmp_path)  # R is not Python: no CNN000 for `<-`
    assert (result.returncode, result.stdout) == (0, "")


def test_a_broken_notebook_named_on_the_command_line_is_reported_with_the_json_position(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "draft.ipynb").write_text('{\n "cells": [\n  {"cell_type": "code",, }\n ]\n}\n')
    (tmp_path / "notes" / "empty.ipynb").write_text('{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    named = cnnlint("--format", "json", "notes/draft.ipynb", "notes/empty.ipynb", cwd=tmp_path)
    found = {f["path"]: (f["line"], f["column"], f["message"]) for f in json.loads(named.stdout)}
    assert found["notes/draft.ipynb"] == (3, 24, "cannot parse notebook: invalid JSON: Expecting property name "
                                                 "enclosed in double quotes (line 3, column 24)")
    assert found["notes/empty.ipynb"][2].startswith("cannot parse notebook: ")
    # found in a folder, a file that mentions no model goes through the relevance prefilter
    assert cnnlint("notes", cwd=tmp_path).stdout == ""


FIXABLE = [
    new_markdown_cell("# Classify"),
    new_code_cell("%matplotlib inline\nimport numpy as np\nfrom keras.applications import ResNet50\n"
                  "from keras.applications.inception_v3 import preprocess_input\n"
                  "from keras.utils import img_to_array, load_img",
                  execution_count=1, outputs=[nbformat.v4.new_output("stream", text="loaded\n")]),
    new_code_cell("x = img_to_array(load_img('cat.jpg', target_size=(224, 224)))\n"
                  "ResNet50(weights='imagenet').predict(preprocess_input(x))",
                  execution_count=2, outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "[[0.1]]"},
                                                                     execution_count=2)]),
]


def test_fix_writes_the_cells_and_keeps_outputs_and_metadata(tmp_path):
    nb = new_notebook(cells=FIXABLE, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                              "display_name": "Python 3"}, "custom": [1, 2]})
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    nbformat.write(nb, str(tmp_path / "noqa.ipynb"))
    assert "Added 1 noqa directive." in cnnlint("--add-noqa", "noqa.ipynb", cwd=tmp_path).stderr
    commented = nbformat.read(str(tmp_path / "noqa.ipynb"), as_version=4)
    assert commented.cells[2].source.endswith("predict(preprocess_input(x))  # noqa: CNN102, CNN203")
    assert commented.cells[2].outputs == nb.cells[2].outputs
    listed = cnnlint("nb.ipynb", cwd=tmp_path)
    assert " CNN102 [*] " in listed.stdout and " CNN203 [*] " in listed.stdout
    fixed = cnnlint("--fix", "nb.ipynb", cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout) == (0, ""), fixed.stdout
    assert "2 fixed, 0 remaining" in fixed.stderr
    after = nbformat.read(str(tmp_path / "nb.ipynb"), as_version=4)
    assert after.metadata == nb.metadata
    assert [(c.cell_type, c.get("outputs"), c.get("execution_count"), c.metadata) for c in after.cells] == [
        (c.cell_type, c.get("outputs"), c.get("execution_count"), c.metadata) for c in nb.cells]
    assert after.cells[1].source == nb.cells[1].source.replace("inception_v3", "resnet50")  # the magic kept
    assert after.cells[2].source.endswith("predict(np.expand_dims(preprocess_input(x), 0))")
    again = cnnlint("--fix", "nb.ipynb", cwd=tmp_path)
    assert again.returncode == 0 and "0 fixed" in again.stderr


def test_a_notebook_whose_code_cells_lack_outputs_is_left_as_it_is(tmp_path):
    """Not saved by Jupyter (no "outputs"): nbformat cannot write it back, so --fix leaves it."""
    cell = {"cell_type": "code", "metadata": {}, "source": [
        "import numpy as np\n", "from keras.applications.vgg16 import VGG16, preprocess_input\n",
        "from keras.utils import img_to_array, load_img\n",
        "VGG16().predict(preprocess_input(img_to_array(load_img('a.jpg', target_size=(224, 224)))))\n"]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))
    before = path.read_text()
    result = cnnlint("--fix", "nb.ipynb", cwd=tmp_path)
    assert "Traceback" not in result.stderr and "please report" not in result.stderr, result.stderr
    assert path.read_text() == before and "CNN203" in result.stdout
