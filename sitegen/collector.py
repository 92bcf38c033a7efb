"""One switch for Python's cyclic garbage collector, shared by everything that pauses it."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CollectorPause:
    """No cyclic garbage collection while work that makes no reference cycles runs.

    Parsing a file allocates thousands of nodes and marks at once, which set off
    collection after collection (py-spy: 8 % of a worker's time), yet a parsed tree holds
    no cycles. Nor does loading and publishing a target table, the bulk of every site,
    once its templates made none (a Jinja macro defined in a page template did: each
    page's context, and through it the record, was freed only by the collector): a
    further 3-4 %. An evaluation report does make cycles (its templates import macros
    `with context`; Markdown), as may an error's traceback: the pause is per record, so
    the collector, back on as it ends, finds one record's worth at most.

    The collector is one switch for the whole process, so pauses are counted under a
    lock (the preview parses on its watcher thread while serving on others), and a child
    forked mid-parse (a PDF worker the preview starts) gets the collector back on.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pauses = 0
        self.was_enabled = True
        os.register_at_fork(after_in_child=self._after_fork)

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.pauses == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.pauses += 1
        try:
            yield
        finally:
            with self.lock:
                self.pauses -= 1
                if self.pauses == 0 and self.was_enabled:
                    gc.enable()

    def _after_fork(self) -> None:
        # Only the forking thread lives on in the child: no pause of another thread ends
        # there, and its lock may have been held at the fork.
        self.lock = threading.Lock()
        if self.pauses:
            self.pauses = 0
            if self.was_enabled:
                gc.enable()


collector_paused = CollectorPause()
