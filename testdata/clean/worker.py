"""Background jobs: queues consumed, completion signalled in finally, pools shut down."""
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

JOBS: "queue.Queue[dict]" = queue.Queue(maxsize=100)
RESULTS = queue.Queue()
STATE_LOCK = threading.RLock()


def handle(job: dict) -> dict:
    return {"id": job["id"], "ok": True}


def consume() -> None:
    while True:
        job = JOBS.get()
        try:
            RESULTS.put(handle(job))
        finally:
            JOBS.task_done()


def drain_results() -> list:
    out = []
    while not RESULTS.empty():
        out.append(RESULTS.get_nowait())
    return out


def submit(job: dict) -> None:
    JOBS.put(job, timeout=5)


def update_state(state: dict, key: str, value: str) -> None:
    STATE_LOCK.acquire()
    try:
        state[key] = value
    finally:
        STATE_LOCK.release()


def run_batch(jobs: list) -> list:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(handle, jobs, timeout=60))


def main() -> None:
    threads = [threading.Thread(target=consume, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    JOBS.join()
