"""When open documents are analysed: after a pause in typing, one at a time, off the event loop.

A change restarts its document's timer (open and save skip it); when the timer fires the document
joins a queue. One worker thread takes the queue in order: ``start`` is called on the event loop
and returns the work to do (built from a snapshot of the documents, so the thread never touches
the editor's state), ``finish`` is called on the event loop with its outcome. The event loop, and
so every request, never waits for an analysis, and a document changed during its analysis is
simply queued again by the change.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

Work = Callable[[], object]


class Scheduler:
    def __init__(self, start: Callable[[str, bool], Work | None], finish: Callable[[str, Future], None],
                 delay: float):
        self.start = start  # (document, on disk) -> the work, or None when there is nothing to do
        self.finish = finish  # (document, the work's finished future)
        self.delay = delay  # seconds of quiet after a change
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.queue: dict[str, None] = {}  # documents due, in order
        self.on_disk: set[str] = set()  # documents opened or saved since their last analysis: as on disk
        self.busy = False
        self.stopped = False
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="cnnlint-analysis")

    def request(self, key: str, now: bool = False, on_disk: bool = False) -> None:
        """Analyse ``key`` after the delay, or ``now`` (on open and save, when its text is ``on_disk``)."""
        if self.stopped:
            return
        if on_disk:
            self.on_disk.add(key)
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if now or self.delay <= 0:
            self._due(key)
        else:
            self.timers[key] = asyncio.get_running_loop().call_later(self.delay, self._due, key)

    def forget(self, key: str) -> None:
        """The document was closed: nothing more to do for it."""
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        self.queue.pop(key, None)
        self.on_disk.discard(key)

    def stop(self) -> None:
        self.stopped = True
        for key in list(self.timers):
            self.forget(key)
        self.queue.clear()
        self.worker.shutdown(wait=False, cancel_futures=True)

    def _due(self, key: str) -> None:
        self.timers.pop(key, None)
        self.queue[key] = None
        self._next()

    def _next(self) -> None:
        while not self.busy and self.queue and not self.stopped:
            key = next(iter(self.queue))
            del self.queue[key]
            on_disk = key in self.on_disk
            self.on_disk.discard(key)
            work = self.start(key, on_disk)
            if work is None:
                continue
            self.busy = True
            future = asyncio.get_running_loop().run_in_executor(self.worker, work)
            future.add_done_callback(lambda done, key=key: self._done(key, done))

    def _done(self, key: str, future: Future) -> None:
        self.busy = False
        if not self.stopped:
            self.finish(key, future)
        self._next()
