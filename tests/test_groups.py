"""Groups hold exactly the modules their files can import: an import links the file the analysis
itself imports (one Resolver for both), not every file of that name in the tree."""
from __future__ import annotations

import json
from pathlib import Path

import cnnlint.lint as lint_module
from cnnlint.groups import Resolver, groups
from cnnlint.lint import lint
from conftest import cnnlint, write_files

PREPROCESSED = """
from keras.applications.resnet50 import preprocess_input
from keras.utils import img_to_array, load_img
def load(path):
    return preprocess_input(img_to_array(load_img(path, target_size=(224, 224)))[None])
"""
RAW = PREPROCESSED.replace("preprocess_input(", "(")
TRAIN = """
from keras.applications import ResNet50
import utils
ResNet50().predict(utils.load("a.jpg"))
"""
PADDING = "".join(f"# padding line {k}: " + "x" * 60 + "\n" for k in range(800))  # enough for --jobs 2


def two_examples(root: Path) -> None:
    """Two example folders with a utils.py each, as in tensorflow/examples: only a's is a's."""
    write_files(root, {
        "a/train.py": TRAIN, "a/utils.py": PREPROCESSED,
        "b/train.py": TRAIN + PADDING, "b/utils.py": RAW,
        "c/notes.py": "import utils\nprint(utils)\n",  # c has no utils.py: nothing to import, no group
    })


def test_an_import_links_the_module_the_analysis_imports(tmp_path):
    two_examples(tmp_path)
    files = sorted(tmp_path.rglob("*.py"))
    relevant = [tmp_path / "a/train.py", tmp_path / "b/train.py"]
    found = groups(relevant, files, lambda p: p.read_bytes(), tmp_path,
                   drivers=[tmp_path / "c/notes.py"])
    assert found == [[tmp_path / "a/train.py", tmp_path / "a/utils.py"],
                     [tmp_path / "b/train.py", tmp_path / "b/utils.py"]]


def test_the_analysis_imports_the_nearest_module_with_or_without_workers(tmp_path):
    two_examples(tmp_path)
    runs = [cnnlint("--format", "json", "--no-cache", "--jobs", jobs, ".", cwd=tmp_path) for jobs in ("1", "2")]
    assert runs[0].stdout == runs[1].stdout
    places = {(f["path"], f["code"]) for f in json.loads(runs[0].stdout)}
    assert places == {("b/train.py", "CNN101")}  # b's utils.py does not preprocess; a's does


def test_relative_imports_link_the_package(tmp_path):
    write_files(tmp_path, {
        "pkg/__init__.py": "from .helpers import load\n",
        "pkg/helpers.py": RAW,
        "pkg/run.py": "from keras.applications import ResNet50\nfrom . import load\n"
                      "ResNet50().predict(load('a.jpg'))\n",
        "other/__init__.py": "",
        "other/helpers.py": PREPROCESSED,
    })
    files = sorted(tmp_path.rglob("*.py"))
    found = groups([tmp_path / "pkg/run.py"], files, lambda p: p.read_bytes(), tmp_path)
    assert found == [[tmp_path / "pkg/__init__.py", tmp_path / "pkg/helpers.py", tmp_path / "pkg/run.py"]]
    out = cnnlint("--no-cache", ".", cwd=tmp_path).stdout
    assert "pkg/run.py:3:1: CNN101" in out


def test_resolver_prefers_the_same_folder_and_never_a_folder_beside(tmp_path):
    write_files(tmp_path, {"app/x/utils.py": "", "app/utils.py": "", "lib/utils.py": "", "app/x/main.py": "",
                           "app/y/main.py": ""})
    by_name = {"utils": [tmp_path / "lib/utils.py", tmp_path / "app/utils.py", tmp_path / "app/x/utils.py"]}
    resolve = Resolver(lambda name: by_name.get(name, []))
    assert resolve(tmp_path / "app/x/main.py", "app.x.main", "utils", 0) == tmp_path / "app/x/utils.py"
    assert resolve(tmp_path / "app/y/main.py", "app.y.main", "utils", 0) == tmp_path / "app/utils.py"
    assert resolve(tmp_path / "app/y/main.py", "app.y.main", "numpy", 0) is None


def test_files_beyond_the_bytes_a_run_keeps_are_read_again(tmp_path, monkeypatch):
    """A run keeps at most KEEP_BYTES of the files it read (notebooks with outputs weigh gigabytes);
    the others are read again when needed, with the same findings."""
    two_examples(tmp_path)
    kept = lint([tmp_path], jobs=1)
    monkeypatch.setattr(lint_module, "KEEP_BYTES", 0)
    reread = lint([tmp_path], jobs=1)
    assert reread.findings == kept.findings and [f.code for f in kept.findings] == ["CNN101"]
    assert reread.read == kept.read and len(kept.read) == 5


def test_a_script_that_saves_the_model_a_relevant_file_loads_joins_its_group(tmp_path):
    """train.py (no model or image code of its own) trains and saves model.h5; predict.py loads it.
    train.py joins predict.py's group with the modules it imports, so CNN403 compares the two."""
    write_files(tmp_path, {
        "dataset.py": """
            from keras.preprocessing.image import ImageDataGenerator
            training_set = ImageDataGenerator(rescale=1./255).flow_from_directory("data/train", target_size=(64, 64))
        """,
        "model.py": """
            from keras.models import Sequential
            from keras.layers import Conv2D, Dense, Flatten
            classifier = Sequential([Conv2D(32, (3, 3), input_shape=(64, 64, 3)), Flatten(), Dense(1)])
            classifier.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        "train.py": """
            from model import classifier
            from dataset import training_set
            classifier.fit(training_set, epochs=5)
            classifier.save("model.h5")
        """,
        "predict.py": """
            import numpy as np
            from keras.models import load_model
            from keras.preprocessing import image
            model = load_model("model.h5")
            x = np.expand_dims(image.img_to_array(image.load_img("cat.jpg", target_size=(64, 64))), axis=0)
            print(model.predict(x))
        """,
    })
    files = sorted(tmp_path.rglob("*.py"))
    relevant = [tmp_path / "dataset.py", tmp_path / "predict.py"]
    found = groups(relevant, files, lambda p: p.read_bytes(), tmp_path,
                   drivers=[tmp_path / "model.py", tmp_path / "train.py"])
    assert found == [sorted(files)]
    out = cnnlint("--no-cache", "--select", "CNN403", ".", cwd=tmp_path).stdout
    assert "predict.py:7:7: CNN403" in out and "fit at train.py:4" in out


def test_a_large_group_is_frozen_from_the_garbage_collector_and_given_back(tmp_path, monkeypatch):
    """Past FREEZE_CHARS of code a group's objects are kept from the cyclic collector while it is
    analysed; the findings are the same, and nothing stays frozen afterwards."""
    import gc

    import cnnlint.analysis.project as project_module

    two_examples(tmp_path)
    monkeypatch.setattr(project_module, "FREEZE_CHARS", 10**12)
    unfrozen = lint([tmp_path], jobs=1)
    frozen_during = []
    original = project_module.Project.run

    def run(self, path):
        state = original(self, path)
        frozen_during.append(gc.get_freeze_count())
        return state

    monkeypatch.setattr(project_module, "FREEZE_CHARS", 1)
    monkeypatch.setattr(project_module.Project, "run", run)
    frozen = lint([tmp_path], jobs=1)
    assert frozen.findings == unfrozen.findings and [f.code for f in frozen.findings] == ["CNN101"]
    assert max(frozen_during) > 0 and gc.get_freeze_count() == 0
