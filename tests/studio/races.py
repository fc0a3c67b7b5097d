"""Two requests of one creator at once, in the order that breaks code without a lock: the first
is held inside its transaction, just before it writes its new row, while the second runs whole."""

import threading

from django.db import connection


def race_with_the_first_held(model, monkeypatch, act, *, hold_seconds: float = 5.0):
    """Run `act("first")` in a thread, held when it first saves a new `model` row, and meanwhile
    `act("second")` here. Returns {name: exception} for each that raised (what the creator
    would have got)."""
    first_inside, second_done = threading.Event(), threading.Event()
    real_save = model.save

    def held_save(self, *args, **kwargs):
        if threading.current_thread().name == "first" and self._state.adding:
            first_inside.set()
            second_done.wait(timeout=hold_seconds)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", held_save)
    errors = {}

    def run(name):
        try:
            act(name)
        except Exception as error:  # noqa: BLE001 (the test reports what the creator would get)
            errors[name] = error
        finally:
            if name == "second":
                second_done.set()
            else:
                connection.close()  # the thread's own connection

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert first_inside.wait(timeout=120), "the first request never reached its save"
    run("second")
    first.join(timeout=60)
    return errors
