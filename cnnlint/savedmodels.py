"""Saved Keras models in the project, read as data: what architecture they hold, what they do to
their input first, and what input size they take.

A ``.keras`` file is a zip archive with a ``config.json``; an ``.h5`` file keeps the same JSON in
its ``model_config`` attribute (read with h5py, an optional dependency); ``model_from_json`` reads
it from a ``.json`` file. Nothing is ever executed or unpickled: only the JSON of the architecture
is read (a ``Lambda`` layer's code stays an opaque string), so a hostile file can at worst be
unreadable.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .knowledge import identify

MAX_CONFIG_BYTES = 64 * 1024 * 1024  # a config bigger than this is not a model's architecture


@dataclass(frozen=True)
class SavedModel:
    """What a saved model file says about itself."""

    path: str
    application: str | None  # "MobileNetV2" when it holds that keras application
    front: tuple[tuple, ...]  # layers before the application: ("Rescaling", scale, offset), ("opaque", name)
    input_size: tuple[int, int] | None
    units: int | None  # the last Dense layer's units


def read(path: Path) -> SavedModel | None:
    """The saved model at ``path``, or None when it is not one cnnlint can read."""
    try:
        config = _config(path)
    except Exception:  # damaged, hostile or unknown files: nothing is known
        return None
    if not isinstance(config, dict):
        return None
    return describe(str(path), config)


def teachable_machine(path: Path) -> SavedModel | None:
    """A Teachable Machine export whose model file is not in the checkout: ``keras_model.h5`` beside its
    ``labels.txt``. Its model is a MobileNet taking 224x224 RGB in [-1, 1] (the export's own sample code
    does ``image / 127.5 - 1``)."""
    if path.name == "keras_model.h5" and (path.parent / "labels.txt").is_file():
        return SavedModel(str(path), "MobileNetV2", (), (224, 224), None)
    return None


def _config(path: Path) -> dict | None:
    suffix = path.suffix.lower()
    if suffix == ".keras" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_CONFIG_BYTES:
                return None
            return json.loads(archive.read(info))
    if suffix in (".h5", ".hdf5"):
        try:
            import h5py
        except ImportError:  # the h5 extra is not installed: .h5 files stay unknown
            return None
        with h5py.File(path, "r") as f:
            text = f.attrs.get("model_config")
        if text is None:
            return None
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        return json.loads(text) if len(text) <= MAX_CONFIG_BYTES else None
    if suffix == ".json" and path.stat().st_size <= MAX_CONFIG_BYTES:
        return json.loads(path.read_text("utf-8"))
    return None


def describe(path: str, config: dict) -> SavedModel:
    nested: set[str] = set()
    names: set[str] = set()
    layers = _flat_layers(config, nested, names)
    application = identify(nested, names)
    return SavedModel(path, application, _front(layers, application), _input_size(layers), _units(layers))


def _flat_layers(config: dict, nested: set[str], names: set[str], depth: int = 0) -> list[dict]:
    """The model's layers in order, nested models opened; collects nested model names and all layer names."""
    inner = config.get("config") if isinstance(config.get("config"), dict) else {}
    layers = inner.get("layers") if isinstance(inner.get("layers"), list) else []
    out = []
    for layer in layers:
        if not isinstance(layer, dict):
            continue
        conf = layer.get("config") if isinstance(layer.get("config"), dict) else {}
        name = conf.get("name")
        if isinstance(name, str):
            names.add(name)
        if isinstance(conf.get("layers"), list) and depth < 8:  # a model used as a layer
            if isinstance(name, str):
                nested.add(name)
            out.append({"class_name": "Model", "name": name})
            out += _flat_layers(layer, nested, names, depth + 1)
        else:
            out.append({"class_name": layer.get("class_name"), "name": name, "config": conf})
    return out


PREPROCESSING = {"Rescaling", "Normalization", "Lambda", "TFOpLambda", "Resizing", "CenterCrop"}
KEEPING = {"InputLayer", "Model", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "RandomContrast", "RandomBrightness", "RandomCrop", "Sequential", "Functional"}


def _front(layers: list[dict], application: str | None) -> tuple[tuple, ...]:
    """What the layers before the first layer of the application do to the input."""
    front = []
    for layer in layers:
        kind = layer.get("class_name")
        if kind == "Model" or (application and _is_application_layer(layer)):
            break
        if kind == "Rescaling":
            conf = layer["config"]
            scale, offset = conf.get("scale"), conf.get("offset", 0.0)
            if isinstance(scale, (int, float)) and isinstance(offset, (int, float)):
                front.append(("Rescaling", float(scale), float(offset)))
            else:
                front.append(("opaque", "Rescaling"))
        elif kind in PREPROCESSING:
            front.append(("opaque", kind))
        elif kind not in KEEPING:
            break
    return tuple(front)


def _is_application_layer(layer: dict) -> bool:
    return layer.get("class_name") not in PREPROCESSING | KEEPING


def _input_size(layers: list[dict]) -> tuple[int, int] | None:
    for layer in layers:
        if layer.get("class_name") == "InputLayer":
            conf = layer["config"]
            shape = conf.get("batch_shape") or conf.get("batch_input_shape")
            if isinstance(shape, list) and len(shape) == 4 and all(isinstance(d, int) for d in shape[1:3]):
                return shape[1], shape[2]
            return None
    return None


def _units(layers: list[dict]) -> int | None:
    for layer in reversed(layers):
        if layer.get("class_name") == "Dense":
            units = layer["config"].get("units")
            return units if isinstance(units, int) else None
    return None
