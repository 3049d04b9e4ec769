"""--fix and --diff: only certain rewrites, formatting kept, atomic, idempotent."""
from __future__ import annotations

import os
import stat

import pytest

from cnnlint.fixes import ChangedOnDisk, write
from conftest import cnnlint, write_files

WRONG_FAMILY = """\
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications.inception_v3 import preprocess_input as prep  # old backbone
from keras.utils import img_to_array, load_img

model = tf.keras.applications.ResNet50(weights="imagenet")
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
print(model.predict(   prep(x)  ))  # one image
y = img_to_array(load_img("b.jpg", target_size=(224, 224)))  # prep(x) changed x in place
z = tf.keras.applications.mobilenet.preprocess_input(np.stack([y, y]))
model.predict(z)
"""
FIXED = """\
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications.resnet50 import preprocess_input as prep  # old backbone
from keras.utils import img_to_array, load_img

model = tf.keras.applications.ResNet50(weights="imagenet")
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
print(model.predict(   np.expand_dims(prep(x), 0)  ))  # one image
y = img_to_array(load_img("b.jpg", target_size=(224, 224)))  # prep(x) changed x in place
z = tf.keras.applications.resnet50.preprocess_input(np.stack([y, y]))
model.predict(z)
"""


def test_diff_shows_and_changes_nothing(tmp_path):
    write_files(tmp_path, {"app.py": WRONG_FAMILY})
    result = cnnlint("--diff", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    assert "+z = tf.keras.applications.resnet50.preprocess_input(np.stack([y, y]))" in result.stdout
    assert "Would fix 3 problems in 1 file" in result.stderr
    assert (tmp_path / "app.py").read_text() == WRONG_FAMILY


def test_fix_rewrites_keeps_formatting_and_is_idempotent(tmp_path):
    write_files(tmp_path, {"app.py": WRONG_FAMILY})
    path = tmp_path / "app.py"
    os.chmod(path, 0o640)
    first = cnnlint("--fix", "app.py", cwd=tmp_path)
    assert (first.returncode, first.stdout) == (0, "")
    assert "3 fixed, 0 remaining" in first.stderr
    assert path.read_text() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    second = cnnlint("--fix", "app.py", cwd=tmp_path)
    assert second.returncode == 0 and "0 fixed" in second.stderr
    assert path.read_text() == FIXED
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]  # no temporary file left behind


def test_line_endings_and_encoding_survive(tmp_path):
    crlf = WRONG_FAMILY.replace("\n", "\r\n")
    latin = "# -*- coding: latin-1 -*-\n# café\n" + WRONG_FAMILY
    (tmp_path / "crlf.py").write_bytes(crlf.encode())
    (tmp_path / "latin.py").write_bytes(latin.encode("latin-1"))
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + WRONG_FAMILY.encode())
    assert cnnlint("--fix", ".", cwd=tmp_path).returncode == 0
    assert (tmp_path / "crlf.py").read_bytes() == FIXED.replace("\n", "\r\n").encode()
    assert (tmp_path / "latin.py").read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).encode("latin-1")
    assert (tmp_path / "bom.py").read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


UNCERTAIN = {
    # the same preprocess_input feeds a caffe model and a tf model: no single right family
    "two-families": """
        import numpy as np
        from keras.applications import ResNet50, DenseNet121
        from keras.applications.inception_v3 import preprocess_input
        from keras.utils import img_to_array, load_img
        x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
        ResNet50().predict(x)
        DenseNet121().predict(x)
    """,
    # the imported name is used elsewhere too
    "name-used-twice": """
        import numpy as np
        from keras.applications import ResNet50
        from keras.applications.xception import preprocess_input
        from keras.utils import img_to_array, load_img
        x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
        ResNet50().predict(x)
        other = preprocess_input
    """,
    # the name is bound again, as a parameter of a helper
    "name-rebound": """
        import numpy as np
        from keras.applications import ResNet50
        from keras.applications.xception import preprocess_input
        from keras.utils import img_to_array, load_img
        x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
        ResNet50().predict(x)
        def prepare(batch, preprocess_input=None):
            return batch
    """,
    # the single image comes from a parameter: another caller could pass a batch
    "parameter": """
        import numpy as np
        from keras.applications.vgg16 import VGG16, preprocess_input
        from keras.utils import img_to_array, load_img
        model = VGG16()
        def run(image):
            return model.predict(preprocess_input(image))
        run(img_to_array(load_img("a.jpg", target_size=(224, 224))))
    """,
    # numpy is not imported
    "no-numpy": """
        from keras.applications.vgg16 import VGG16, preprocess_input
        from keras.utils import img_to_array, load_img
        VGG16().predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))))
    """,
}


@pytest.mark.parametrize("source", UNCERTAIN.values(), ids=UNCERTAIN.keys())
def test_uncertain_rewrites_are_not_offered(tmp_path, source):
    write_files(tmp_path, {"app.py": source})
    before = (tmp_path / "app.py").read_text()
    result = cnnlint("--fix", "app.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout  # still reported
    assert "0 fixed" in result.stderr
    assert (tmp_path / "app.py").read_text() == before


def test_an_unrelated_correct_preprocess_input_does_not_block_the_import_fix(tmp_path):
    """``mobilenet_v2.preprocess_input`` elsewhere is another name than the imported ``preprocess_input``."""
    write_files(tmp_path, {"app.py": """\
        import numpy as np
        from keras.applications import ResNet50, MobileNetV2, mobilenet_v2
        from keras.applications.inception_v3 import preprocess_input
        from keras.utils import img_to_array, load_img
        x = img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]
        ResNet50(weights="imagenet").predict(preprocess_input(x))
        y = img_to_array(load_img("b.jpg", target_size=(224, 224)))[None]  # x was preprocessed in place
        MobileNetV2(weights="imagenet").predict(mobilenet_v2.preprocess_input(y))
    """})
    first = cnnlint("--fix", "app.py", cwd=tmp_path)
    assert (first.returncode, first.stdout) == (0, ""), first.stdout
    assert "from keras.applications.resnet50 import preprocess_input\n" in (tmp_path / "app.py").read_text()
    assert cnnlint("app.py", cwd=tmp_path).returncode == 0


def test_changed_on_disk_is_not_overwritten(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("old = 1\n")
    original = path.read_bytes()
    path.write_text("someone else's edit\n")
    with pytest.raises(ChangedOnDisk):
        write(path, "fixed = 1\n", original, "utf-8")
    assert path.read_text() == "someone else's edit\n"
    write(path, "fixed = 1\n", path.read_bytes(), "utf-8")
    assert path.read_text() == "fixed = 1\n"


def test_broken_files_are_never_rewritten(tmp_path):
    (tmp_path / "broken.py").write_text(WRONG_FAMILY + "print 'py2'\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = cnnlint("--fix", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
