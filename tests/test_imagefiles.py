"""Image headers read as data (cnnlint/imagefiles.py) against Pillow: for every format and mode, the
size and channel count are what ``np.array(Image.open(path))`` has; damaged files give None."""
from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from cnnlint.imagefiles import header

FORMATS = {"PNG": ("1", "L", "LA", "P", "RGB", "RGBA"), "JPEG": ("L", "RGB", "CMYK"), "GIF": ("L", "P", "RGB"),
           "BMP": ("1", "L", "P", "RGB"), "WEBP": ("L", "RGB", "RGBA")}
CASES = [(fmt, mode) for fmt, modes in FORMATS.items() for mode in modes]


def pillow_view(path) -> tuple[int, int, int]:
    opened = Image.open(path)
    array = np.array(opened)
    return opened.width, opened.height, 1 if array.ndim == 2 else array.shape[2]


@pytest.mark.parametrize("fmt,mode", CASES, ids=[f"{f}-{m}" for f, m in CASES])
def test_header_matches_what_pillow_opens(tmp_path, fmt, mode):
    path = tmp_path / f"image.{fmt.lower()}"
    Image.new(mode, (37, 21)).save(path, fmt)
    assert tuple(header(path)) == pillow_view(path)


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(case=st.sampled_from(CASES), width=st.integers(1, 300), height=st.integers(1, 300),
       exif=st.booleans())
def test_any_size_with_or_without_metadata(tmp_path_factory, case, width, height, exif):
    fmt, mode = case
    path = tmp_path_factory.mktemp("img") / f"image.{fmt.lower()}"
    image = Image.new(mode, (width, height))
    extra = {}
    if exif and fmt in ("JPEG", "PNG", "WEBP"):  # metadata before the frame header
        data = Image.Exif()
        data[0x010E] = "x" * 5000  # ImageDescription
        extra["exif"] = data.tobytes()
    image.save(path, fmt, **extra)
    assert tuple(header(path)) == pillow_view(path)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(data=st.binary(max_size=200), cut=st.integers(0, 400))
def test_damaged_or_foreign_files_give_none_or_a_header_never_an_error(tmp_path_factory, data, cut):
    folder = tmp_path_factory.mktemp("bad")
    real = io.BytesIO()
    Image.new("RGB", (5, 5)).save(real, "JPEG")
    for i, content in enumerate((data, b"\x89PNG\r\n\x1a\n" + data, b"\xff\xd8" + data,
                                 real.getvalue()[:cut], b"GIF89a" + data[:2], b"BM" + data)):
        path = folder / f"f{i}"
        path.write_bytes(content)
        found = header(path)
        assert found is None or all(isinstance(n, int) and n >= 0 for n in found)


def test_a_missing_file_or_a_folder_gives_none(tmp_path):
    assert header(tmp_path / "absent.jpg") is None
    assert header(tmp_path) is None
