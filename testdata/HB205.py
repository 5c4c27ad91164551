"""Job API: hands work to background threads and waits for results."""
import asyncio
import contextvars
import multiprocessing
import queue
import threading
from contextlib import contextmanager
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait

from celery import Celery, shared_task
from celery.result import AsyncResult
from flask import Flask, abort, jsonify, request
from transformers import TextIteratorStreamer
from transformers.generation.streamers import TextIteratorStreamer as TokenStreamer

from .models import MODEL, TOKENIZER

app = Flask(__name__)
READY = threading.Event()
RESULTS = queue.Queue()
DONE = threading.Condition()
EXECUTOR = ThreadPoolExecutor(max_workers=4)
POOL = multiprocessing.Pool(2)
GATE = threading.Barrier(3, timeout=5)
WAIT_SECONDS = 10
celery = Celery("jobs", broker="redis://localhost")


@app.get("/ready")
def ready():
    READY.wait()  # expect: HB205 "READY.wait() has no timeout" "handler 'ready'" "if the event is never set"
    if not READY.wait(WAIT_SECONDS):  # ok: positional timeout
        abort(503)
    return "ready"


@app.post("/jobs")
def submit_job():
    future = EXECUTOR.submit(crunch, 42)
    value = future.result()  # expect: HB205 "future.result() has no timeout" "handler 'submit_job'" "if the work never finishes"
    other = EXECUTOR.submit(crunch, 7).result(timeout=WAIT_SECONDS)  # ok: keyword timeout
    if future.done():
        value = future.result()  # ok: the future is finished, nothing waits
    item = RESULTS.get()  # expect: HB205 "RESULTS.get() has no timeout" "handler 'submit_job'" "if no item ever arrives"
    polled = RESULTS.get(False)  # ok: non-blocking
    maybe = RESULTS.get(True, 2)  # ok: positional timeout
    RESULTS.get(block=False)  # ok: block=False
    while not RESULTS.empty():
        item = RESULTS.get()  # ok: the loop saw an item there
    if RESULTS.qsize() > 0:
        item = RESULTS.get()  # ok: an item is there
    if not RESULTS.empty():
        pass
    else:
        item = RESULTS.get()  # expect: HB205 "RESULTS.get() has no timeout" "handler 'submit_job'"
    while not IDLE.empty():
        item = RESULTS.get()  # expect: HB205 "RESULTS.get() has no timeout" "handler 'submit_job'"
    with DONE:
        DONE.wait()  # expect: HB205 "DONE.wait() has no timeout" "handler 'submit_job'" "if nobody ever notifies"
        DONE.wait_for(lambda: not RESULTS.empty(), WAIT_SECONDS)  # ok: positional timeout
    GATE.wait()  # ok: barrier built with a default timeout
    return jsonify(value=value, other=other, item=item, polled=polled, maybe=maybe)


@app.post("/batch")
def batch():
    futures = [EXECUTOR.submit(crunch, n) for n in range(8)]
    wait(futures)  # expect: HB205 "wait() has no timeout" "handler 'batch'" "if a future never finishes"
    wait(futures, WAIT_SECONDS)  # ok: positional timeout
    totals = [f.result() for f in as_completed(futures)]  # expect: HB205[col=35] "as_completed() has no timeout" "handler 'batch'" "if a future never finishes"
    async_result = POOL.apply_async(crunch, (3,))
    totals.append(async_result.get())  # expect: HB205[col=19] "async_result.get() has no timeout" "handler 'batch'" "if the pool task never finishes"
    totals.append(POOL.apply_async(crunch, (4,)).get(timeout=WAIT_SECONDS))  # ok: keyword timeout
    summed = POOL.apply_async(sum, (totals,))
    summed.wait()  # expect: HB205 "summed.wait() has no timeout" "handler 'batch'" "if the pool task never finishes"
    totals.append(summed.get())  # ok: the untimed wait() above waited for it
    counted = POOL.apply_async(len, (totals,))
    counted.wait(WAIT_SECONDS)
    totals.append(counted.get())  # expect: HB205 "counted.get() has no timeout" "handler 'batch'" "if the pool task never finishes"
    worker = threading.Thread(target=crunch, args=(5,))
    worker.start()
    worker.join()  # expect: HB205 "worker.join() has no timeout" "handler 'batch'" "if the thread never finishes"
    return jsonify(totals=totals)


@app.post("/batch/settled")
def batch_settled():
    first = EXECUTOR.submit(crunch, 1)
    second = EXECUTOR.submit(crunch, 2)
    done, pending = wait([first, second], WAIT_SECONDS)
    if first in done:
        total = first.result()  # ok: in the done set wait() returned, it is finished
    else:
        total = 0
    wait([second])  # expect: HB205 "wait() has no timeout" "handler 'batch_settled'"
    total += second.result()  # ok: wait() above returned only once it finished
    checked = EXECUTOR.submit(crunch, 4)
    if checked.exception():  # expect: HB205 "checked.exception() has no timeout" "handler 'batch_settled'"
        abort(500)
    total += checked.result()  # ok: exception() above already waited for it
    late = EXECUTOR.submit(crunch, 3)
    wait([first, late], WAIT_SECONDS)
    total += late.result()  # expect: HB205 "late.result() has no timeout" "if the work never finishes"
    return jsonify(total=total, pending=len(pending))


@app.post("/batch/scoped")
def batch_scoped():
    with ThreadPoolExecutor(max_workers=2) as pool:
        left = pool.submit(crunch, 5)
        right = pool.submit(crunch, 6)
        inside = left.result()  # ok: crunch() ends, and leaving the block would wait for it anyway
        stepped = pool.submit(dispatch_step, 7)
        step = stepped.result()  # ok: leaving the block waits for it anyway: a timeout here would end no wait
    return jsonify(total=inside + right.result() + step)  # ok: the executor's with block waited for it on exit


@app.post("/batch/bridge")
def batch_bridge():
    loop = app.extensions["loop"]
    value = asyncio.run_coroutine_threadsafe(fetch_remote(), loop).result()  # expect: HB205 "asyncio.run_coroutine_threadsafe(...).result() has no timeout" "handler 'batch_bridge'"
    return jsonify(value=value)


async def fetch_remote():
    return 1


BRIDGE_LOOP = asyncio.new_event_loop()


def run_in_bridge_loop(coro):
    """Runs a coroutine on the shared background loop from sync code, like asyncio.run()."""
    future = asyncio.run_coroutine_threadsafe(coro, BRIDGE_LOOP)
    return future.result()  # ok: a runner: it waits as long as the coroutine it was handed


async def _awaited(awaitable):
    """Wraps an awaitable the SDK hands back (not a coroutine) into one run_coroutine_threadsafe takes."""
    return await awaitable


async def _logged(awaitable):
    await asyncio.sleep(0)  # yield to the loop first
    return await awaitable


def run_wrapped(awaitable):
    """As run_in_bridge_loop, through a wrapper coroutine (an SDK's awaitables are no coroutines)."""
    future = asyncio.run_coroutine_threadsafe(_awaited(awaitable), BRIDGE_LOOP)
    return future.result()  # ok: a runner: the wrapper only awaits what it was handed


def run_logged(awaitable):
    future = asyncio.run_coroutine_threadsafe(_logged(awaitable), BRIDGE_LOOP)
    return future.result()  # expect: HB205 "future.result() has no timeout" "handler 'bridged' via run_logged()"


def run_in_pool(fn, *args):
    return EXECUTOR.submit(fn, *args).result()  # ok: a runner: it waits as long as the function it was handed


def run_hook_in_context(hook, *args):
    """Runs an async hook from sync code under the caller's context variables."""
    ctx = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as runner:
        future = runner.submit(ctx.run, asyncio.run, hook(*args))
        return future.result()  # ok: a runner: it waits as long as the hook it was handed


def run_fetch_in_context():
    ctx = contextvars.copy_context()
    future = EXECUTOR.submit(ctx.run, asyncio.run, fetch_remote())
    return future.result()  # expect: HB205 "future.result() has no timeout" "via run_fetch_in_context()"


def run_remote_fetch():
    future = asyncio.run_coroutine_threadsafe(fetch_remote(), BRIDGE_LOOP)
    return future.result()  # expect: HB205 "future.result() has no timeout" "handler 'bridged' via run_remote_fetch()"


@app.post("/batch/bridged")
def bridged():
    return jsonify(value=run_in_bridge_loop(fetch_remote()), squared=run_in_pool(crunch, 3), remote=run_remote_fetch(),
                   wrapped=run_wrapped(fetch_remote()), logged=run_logged(fetch_remote()),
                   hooked=run_hook_in_context(fetch_remote), in_context=run_fetch_in_context())


@app.get("/lookup")
def lookup():
    cache = {}
    settings = app.config
    cache.get("key")  # ok: dict.get
    settings.get("KEY")  # ok: receiver of unknown kind
    ev = app.extensions["ready_event"]
    ev.wait()  # ok: receiver of unknown kind
    return "ok"


@app.post("/render")
def render():
    renderer = multiprocessing.Process(target=crunch, args=(9,))
    renderer.start()
    if app.config.get("CANCEL"):
        renderer.terminate()
        renderer.join()  # ok: after terminate() of the same process, join() only reaps it
    spinner = multiprocessing.Process(target=crunch, args=(1,))
    spinner.start()
    renderer.kill()
    spinner.join()  # expect: HB205 "spinner.join() has no timeout" "if the process never exits"
    renderer.join()  # ok: killed above, the wait only reaps it
    return "ok"


IDLE = queue.Queue()
SPARE = queue.Queue()
FREE = threading.Condition()
STATE = {"readers": 0}
LOADED = threading.Event()


@contextmanager
def borrowed_connection():
    # A pool built from a queue: waiting for a free connection is the pool's contract.
    connection = IDLE.get()  # ok: handed back to the same queue in the finally below
    try:
        yield connection
    finally:
        IDLE.put(connection)


@contextmanager
def reading():
    with FREE:
        FREE.wait_for(lambda: STATE["readers"] >= 0)  # ok: a lock's acquire, released in the finally below
        STATE["readers"] += 1
    try:
        yield
    finally:
        with FREE:
            STATE["readers"] -= 1
            FREE.notify_all()


@contextmanager
def leaked_connection():
    connection = IDLE.get()  # expect: HB205 "IDLE.get() has no timeout" "via leaked_connection()"
    try:
        yield connection
    finally:
        SPARE.put(connection)  # given to another queue: IDLE is never refilled here


@contextmanager
def loaded_settings():
    LOADED.wait()  # expect: HB205 "LOADED.wait() has no timeout" "via loaded_settings()"
    yield STATE  # nothing gives it back: waits for whoever sets it


def first_load():
    if not LOADED.is_set():
        try:
            STATE["loaded"] = True
        finally:
            LOADED.set()
    else:
        LOADED.wait()  # expect: HB205 "LOADED.wait() has no timeout" "via first_load()"
    return STATE


class ModelSlot:
    """One model loaded at a time: a load waits for the one in progress, which hands the slot
    back in its `finally` (a lock built from a condition and a flag)."""

    def __init__(self):
        self.changed = threading.Condition()
        self.loading = False

    def load(self, name):
        with self.changed:
            while self.loading:
                self.changed.wait()  # ok: released in the finally below, as a lock's holder does
            self.loading = True
        try:
            STATE["model"] = name
        finally:
            with self.changed:
                self.loading = False
                self.changed.notify_all()

    def current(self):
        with self.changed:
            while "model" not in STATE:
                self.changed.wait()  # expect: HB205 "self.changed.wait() has no timeout" "via ModelSlot.current()"
            return STATE["model"]  # waits for a first load nothing may ever start


SLOT = ModelSlot()


@app.get("/pooled")
def pooled():
    with borrowed_connection() as connection, reading(), leaked_connection() as other, loaded_settings():
        SLOT.load(request.args["model"])
        SLOT.current()
        return jsonify(connection=connection, other=other, state=first_load())


def crunch(n):
    return n * n


# Steps registered by plugins at start-up: which one runs is known only then.
STEPS = {}


def dispatch_step(n):
    return STEPS[n % 4](n)  # a dispatch the analysis cannot follow: the work is not known to end


def lookup_rate(currency):
    return RATES.get(currency, 1.0) * crunch(2)


def local_totals():
    # A helper below the handler waits for work that provably ends: local CPU work, no call
    # that waits, nothing unresolved. The work's own bounds bound the wait.
    futures = [EXECUTOR.submit(crunch, n) for n in range(8)]
    done = [f.result() for f in as_completed(futures)]  # ok: crunch() only computes
    first = EXECUTOR.submit(lookup_rate, "EUR")
    rate = first.result()  # ok: lookup_rate() reads a dict and calls crunch()
    jobs = {}
    for n in range(3):
        jobs[EXECUTOR.submit(crunch, n)] = n
    wait(jobs)  # ok: every future put in it runs crunch()
    mixed = [EXECUTOR.submit(crunch, 1), EXECUTOR.submit(dispatch_step, 2)]
    wait(mixed)  # expect: HB205 "wait() has no timeout" "handler 'batch_local' via local_totals()" "if a future never finishes"
    pending = list(PENDING)
    wait(pending)  # expect: HB205 "wait() has no timeout" "via local_totals()"
    return done, rate


@app.post("/batch/local")
def batch_local():
    done, rate = local_totals()
    # The handler's own wait is reported whatever the work: its timeout and answer belong here.
    squares = [EXECUTOR.submit(crunch, n) for n in range(4)]
    wait(squares)  # expect: HB205 "wait() has no timeout" "handler 'batch_local' blocks forever"
    return jsonify(done=done, rate=rate)


RATES = {"EUR": 1.1}
PENDING = []


def consumer_loop():
    # Worker thread body, not a handler: waiting is its job.
    while True:
        RESULTS.get()  # ok: not reachable from a handler
        SPARE.get()  # ok: not reachable from a handler


STREAM_TIMEOUT = 30
DECODE = {"skip_special_tokens": True}


@app.post("/complete")
def complete():
    prompt = app.current_request.json["prompt"]
    streamer = TextIteratorStreamer(TOKENIZER, skip_prompt=True)  # expect: HB205 "TextIteratorStreamer() has no timeout" "handler 'complete'" "if generate() fails in its thread"
    threading.Thread(target=MODEL.generate, kwargs={"inputs": prompt, "streamer": streamer}).start()
    return jsonify(text="".join(streamer))


@app.post("/complete/bounded")
def complete_bounded():
    prompt = app.current_request.json["prompt"]
    streamer = TextIteratorStreamer(TOKENIZER, skip_prompt=True, timeout=STREAM_TIMEOUT)  # ok: timeout as a name
    quick = TokenStreamer(TOKENIZER, True, 10)  # ok: positional timeout
    settings = {"timeout": STREAM_TIMEOUT, **DECODE}
    configured = TextIteratorStreamer(TOKENIZER, **settings)  # ok: the mapping carries the timeout
    decoded = TokenStreamer(TOKENIZER, **DECODE)  # expect: HB205 "TokenStreamer() has no timeout" "handler 'complete_bounded'"
    for piece in (streamer, quick, configured, decoded):
        threading.Thread(target=MODEL.generate, kwargs={"inputs": prompt, "streamer": piece}).start()
    return jsonify(text="".join(streamer))


@app.post("/complete/collected")
def complete_collected():
    prompt = app.current_request.json["prompt"]
    streamer = TextIteratorStreamer(TOKENIZER, skip_prompt=True, timeout=STREAM_TIMEOUT)
    worker = threading.Thread(target=MODEL.generate, kwargs={"inputs": prompt, "streamer": streamer})
    worker.start()
    pieces = []
    for piece in streamer:
        pieces.append(piece)
    worker.join()  # ok: the stream ended, so generate() has returned and the thread is finishing
    return jsonify(text="".join(pieces))


@app.post("/complete/until-stop")
def complete_until_stop():
    streamer = TextIteratorStreamer(TOKENIZER, timeout=STREAM_TIMEOUT)
    generation = {"inputs": app.current_request.json["prompt"], "streamer": streamer, "max_new_tokens": 256}
    worker = threading.Thread(target=MODEL.generate, kwargs=generation, daemon=True)
    worker.start()
    text = ""
    for piece in streamer:
        text += piece
        if "</s>" in text:
            break
    worker.join()  # expect: HB205 "worker.join() has no timeout" "handler 'complete_until_stop'"
    return jsonify(text=text)


def offline_stream(prompt):
    return TextIteratorStreamer(TOKENIZER)  # ok: no handler reaches it (HB205 looks at handler-reachable code)


@app.post("/exports")
def start_export():
    future = EXECUTOR.submit(crunch, 3)

    def _mark_failed(done: "Future[int]") -> None:
        if done.exception() is not None:  # ok: a done callback is given a finished future
            app.logger.warning("export failed")

    def _report(pending: "Future[int]", other: "Future[int]") -> None:
        pending.result()  # expect: HB205 "pending.result() has no timeout" "handler 'start_export'"

    future.add_done_callback(_mark_failed)
    _report(future, future)
    return jsonify(started=True)


@shared_task
def rebuild_index(name):
    return name


@celery.task(bind=True)
def render_report(self, report_id):
    return report_id


class Pacer:
    """Not a task: a rate limiter whose delay() hands back a plain value."""

    def delay(self, seconds):
        return {"seconds": seconds}


@app.post("/indexes/<name>/rebuild")
def rebuild(name):
    result = rebuild_index.delay(name)
    result.get()  # expect: HB205 "result.get() has no timeout" "handler 'rebuild'" "no worker takes the task"
    bounded = rebuild_index.delay(name)
    bounded.get(timeout=WAIT_SECONDS)  # ok: timeout given
    report = render_report.apply_async((name,)).get(propagate=False)  # expect: HB205 "render_report.apply_async(...).get() has no timeout"
    options = {"timeout": WAIT_SECONDS, "propagate": False}
    configured = render_report.delay(name).get(**options)  # ok: the dict holds "timeout"
    by_id = AsyncResult(request.args["task"]).get()  # expect: HB205 "AsyncResult(...).get() has no timeout"
    sent = celery.send_task("jobs.cleanup", args=(name,))
    sent.wait()  # expect: HB205 "sent.wait() has no timeout" "handler 'rebuild'"
    paced = Pacer().delay(2).get("seconds")  # ok: not a task's result
    pending = rebuild_index.delay(name)
    state = pending.state  # ok: reads the state, waits for nothing
    return jsonify(result=report, configured=configured, by_id=by_id, paced=paced, state=state)
