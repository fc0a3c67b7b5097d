"""Frames rendered on several threads come back in order, with bounded look-ahead, and a
cancelled render leaves no thread behind."""

from __future__ import annotations

import threading
import time

from generation.renderers.ordered_threads import ordered_map


def test_results_keep_the_items_order_when_later_items_finish_first() -> None:
    def slow_for_even(item: int) -> int:
        time.sleep(0.02 if item % 2 == 0 else 0.0)
        return item * 10

    assert list(ordered_map(slow_for_even, range(12), threads=3)) == [i * 10 for i in range(12)]


def test_no_more_than_ahead_items_are_taken_before_the_consumer_asks() -> None:
    taken: list[int] = []

    def items():
        for item in range(100):
            taken.append(item)
            yield item

    results = ordered_map(lambda item: item, items(), threads=2, ahead=4)
    assert next(results) == 0
    assert len(taken) <= 4  # a minute of frames is never all queued at once
    results.close()


def test_closing_early_stops_the_work_and_its_threads() -> None:
    started: list[int] = []

    def work(item: int) -> int:
        started.append(item)
        time.sleep(0.01)
        return item

    before = {t.name for t in threading.enumerate()}
    results = ordered_map(work, range(1000), threads=2)
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    results.close()

    assert len(started) < 20
    left = {t.name for t in threading.enumerate()} - before
    assert not any(name.startswith("render") for name in left)


def test_one_thread_runs_in_the_callers_thread() -> None:
    seen = list(ordered_map(lambda _: threading.get_ident(), range(3), threads=1))
    assert seen == [threading.get_ident()] * 3
