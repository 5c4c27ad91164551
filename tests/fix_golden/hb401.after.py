"""HB401 fix: the work before wg.done() goes in try, done() in finally."""
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)


class WaitGroup:
    def __init__(self):
        self._n = 0
        self._cond = threading.Condition()

    def add(self, n):
        with self._cond:
            self._n += n

    def done(self):
        with self._cond:
            self._n -= 1
            self._cond.notify_all()

    def wait(self):
        with self._cond:
            self._cond.wait_for(lambda: self._n == 0, timeout=30)


def resize_one(wg: WaitGroup, image, out):
    """Resize one image and report it."""
    try:
        out.append(resize(image))  # may raise on a corrupt image
    finally:
        wg.done()


def resize(image):
    return image


@app.post("/thumbnails")
def thumbnails():
    wg = WaitGroup()
    out = []
    for image in request.get_json()["images"]:
        wg.add(1)
        threading.Thread(target=resize_one, args=(wg, image, out)).start()
    wg.wait()
    return jsonify(out)


@app.post("/upload")
def upload():
    jobs = WaitGroup()
    jobs.add(1)
    try:
        store(request.files["file"])
    finally:
        jobs.done()
    jobs.wait()
    return jsonify(ok=True)


def store(data):
    pass
