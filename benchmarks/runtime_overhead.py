"""What watching costs: ``model.predict`` on the same images with and without ``cnnlint.runtime.watch()``.

    python benchmarks/runtime_overhead.py [--images 2000] [--size 96]

Needs the runtime extra. Prints the best of three runs of each.
"""
from __future__ import annotations

import argparse
import time


def best(run, times: int = 3) -> float:
    fastest = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--size", type=int, default=96)
    options = parser.parse_args()

    import keras
    import numpy as np

    from cnnlint.runtime.watch import watch

    with watch():  # built while watched: known as a (random-weights) application model
        model = keras.applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(options.size, options.size, 3))
    images = np.random.default_rng(0).random((options.images, options.size, options.size, 3), dtype=np.float32)
    model.predict(images[:64], verbose=0)  # compile once, outside the timings
    predict = lambda: model.predict(images, batch_size=64, verbose=0)  # noqa: E731
    plain = best(predict)
    with watch():
        watched = best(predict)
    print(f"MobileNetV2 (alpha 0.35) predict on {options.images} images {options.size}x{options.size}: "
          f"plain {plain:.2f} s, watched {watched:.2f} s ({(watched / plain - 1) * 100:+.0f}%)")


if __name__ == "__main__":
    main()
