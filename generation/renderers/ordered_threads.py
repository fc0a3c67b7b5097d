"""Frames computed on a few threads, yielded in order: a renderer's per-frame work (numpy and
OpenCV, which release the GIL for their loops) spread over the cores a job is given.

concurrent.futures' own ``Executor.map`` submits every item at once, so a long clip would hold
all its frames in memory; this keeps at most ``ahead`` in flight, so memory stays flat.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(
    work: Callable[[Item], Result], items: Iterable[Item], *, threads: int, ahead: int | None = None
) -> Iterator[Result]:
    """``map(work, items)`` on ``threads`` threads (in this thread when 1), in order.

    Closing the generator early (a cancelled job) drops the work not yet started and waits for
    the frames already being computed, so no thread outlives it.
    """
    if threads <= 1:
        for item in items:
            yield work(item)
        return
    pending: deque[Future[Result]] = deque()
    limit = ahead if ahead is not None else 2 * threads
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="render") as pool:
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
