"""How quickly `cnnlint server` answers an editor: a benchmark, not a test.

    python benchmarks/lsp_latency.py                 # a generated 1,000-line file, 20 edits
    python benchmarks/lsp_latency.py --edits 50 --lines 2000

Starts the real server (default settings: 0.15 s of debounce), opens the file and measures:

- diagnostics after a change: from sending ``textDocument/didChange`` to receiving the
  ``publishDiagnostics`` of that version (debounce included);
- requests during an analysis: after each change, a hover request every 10 ms until the
  diagnostics arrive; their round trips show whether a request ever waits behind the analysis
  (it would then take about as long as the analysis itself).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HEAD = '''"""A long inference module: many loaders and predictions around one pre-trained model."""
import numpy as np
from tensorflow.keras.applications.resnet50 import ResNet50, decode_predictions, preprocess_input
from tensorflow.keras.preprocessing import image

model = ResNet50(weights="imagenet")
'''
BLOCK = '''

def classify_{i}(paths, size=(224, 224)):
    """Batch {i}: load, preprocess and predict."""
    images = []
    for path in paths:
        img = image.load_img(path, target_size=size)
        images.append(image.img_to_array(img))
    batch = np.stack(images)
    if batch.shape[0] == 0:
        return []
    preds = model.predict(preprocess_input(batch))
    return decode_predictions(preds, top={k})


def scaled_{i}(path):
    x = image.img_to_array(image.load_img(path, target_size=(224, 224)))
    x = np.expand_dims(x, 0) / 255.0
    return model.predict(x)
'''


def generated(lines: int) -> str:
    """Keras code of about ``lines`` lines: every other function scales by 255 for a caffe-mode model (CNN104)."""
    blocks, text = 0, HEAD
    while text.count("\n") < lines:
        text += BLOCK.format(i=blocks, k=1 + blocks % 5)
        blocks += 1
    return text


class Client(LanguageClient):
    def __init__(self):
        super().__init__("lsp-latency", "1")
        self.arrived: dict[int, float] = {}  # version -> when its diagnostics came
        self.counts: dict[int, int] = {}
        self.event = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams):
            self.arrived[params.version] = time.perf_counter()
            self.counts[params.version] = len(params.diagnostics)
            self.event.set()

    async def diagnostics_of(self, version: int) -> float:
        while version not in self.arrived:
            self.event.clear()
            await self.event.wait()
        return self.arrived[version]


async def run(lines: int, edits: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cnnlint-lsp-"))
    path = folder / "long.py"
    text = generated(lines)
    path.write_text(text)
    client = Client()
    await client.start_io(sys.executable, "-m", "cnnlint", "server", cwd=folder)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         root_uri=folder.as_uri()))
    client.initialized(types.InitializedParams())
    uri = path.as_uri()
    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    first = await client.diagnostics_of(1) - start
    print(f"{text.count(chr(10))} lines, {client.counts[1]} findings; first diagnostics after opening: {first:.2f} s")

    quiet = [await edit(client, uri, text, version, None) for version in range(2, edits + 2)]
    requests: list[float] = []
    busy = [await edit(client, uri, text, version, requests) for version in range(edits + 2, 2 * edits + 2)]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    for label, latencies in (("alone", quiet), ("with a hover every 10 ms", busy)):
        ms = sorted(round(x * 1000) for x in latencies)
        print(f"diagnostics after a change, {label} ({edits} edits, 0.15 s debounce included): "
              f"median {statistics.median(ms)} ms, max {ms[-1]} ms")
    rq = sorted(x * 1000 for x in requests)
    print(f"hover requests during those analyses: {len(rq)}, median {statistics.median(rq):.1f} ms, "
          f"95th percentile {rq[int(len(rq) * 0.95) - 1]:.1f} ms, max {rq[-1]:.1f} ms")


async def edit(client: Client, uri: str, text: str, version: int, requests: list[float] | None) -> float:
    """Change a constant of the file; the time until its diagnostics come. With ``requests``, hover every
    10 ms meanwhile, as an editor might, and add their round trips to it."""
    edited = text.replace("top=1)", f"top={version % 5 + 1})")
    sent = time.perf_counter()
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version, uri), [types.TextDocumentContentChangeWholeDocument(edited)]))
    while requests is not None and version not in client.arrived:
        asked = time.perf_counter()
        await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri),
                                                                 types.Position(0, 0)))
        requests.append(time.perf_counter() - asked)
        await asyncio.sleep(0.01)
    return await client.diagnostics_of(version) - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.lines, args.edits))


if __name__ == "__main__":
    main()
