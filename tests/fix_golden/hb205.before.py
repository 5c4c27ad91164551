"""HB205 fix: waits that raise on expiry get timeout=10; waits that return quietly are left alone."""
import queue
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

from flask import Flask

app = Flask(__name__)
EXECUTOR = ThreadPoolExecutor(4)
RESULTS = queue.Queue()
READY = threading.Event()


@app.get("/jobs")
def jobs():
    future = EXECUTOR.submit(sum, [1, 2])
    value = future.result()
    item = RESULTS.get(True, None)
    futures = [EXECUTOR.submit(sum, [n]) for n in range(4)]
    done = [f.result() for f in as_completed(futures)]
    READY.wait()  # returns False on timeout: left for a human
    return {"value": value, "item": item, "done": done}
