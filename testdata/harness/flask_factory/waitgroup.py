"""A Go-style WaitGroup, as projects write them."""

import threading


class WaitGroup:
    def __init__(self):
        self._count = 0
        self._cond = threading.Condition()

    def add(self, n):
        with self._cond:
            self._count += n

    def done(self):
        with self._cond:
            self._count -= 1
            if self._count <= 0:
                self._cond.notify_all()

    def wait(self):
        with self._cond:
            while self._count > 0:
                self._cond.wait()
