"""Pausing the cyclic garbage collector while bulk work allocates many small objects.

Reading and scoring a large file create millions of small acyclic objects (values, results,
steps). CPython's cyclic collector is triggered by allocations and walks every live container
each time it runs a full pass, so the more has been built, the dearer each pass: it took a
third of the scoring time at 190,000 rows. Reference counting still frees everything as usual;
only the search for reference cycles waits until the bulk step is over.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
