"""Background mailer: worker threads drain a job queue that handlers fill."""
import asyncio
import logging
import queue
import threading

log = logging.getLogger(__name__)
JOBS = queue.Queue()
NOTES = queue.Queue()
STOP = object()


def send(job):
    job.mailer.send_message(job.message)


def send_quietly(job):
    """Never raises: every error is logged."""
    try:
        send(job)
    except Exception:
        log.exception("sending %s failed", job)


def wait_for_mail():
    JOBS.join()


def run_batch(jobs):
    batch = queue.Queue()
    for job in jobs:
        batch.put(job)
    threading.Thread(target=retrying_worker, args=(batch,), daemon=True).start()
    batch.join()


def mail_worker():
    while True:
        job = JOBS.get()
        send(job)
        JOBS.task_done()  # expect: HB402 "JOBS.task_done() is not in a finally" "function 'mail_worker'"


def safe_worker():
    while True:
        job = JOBS.get()
        try:
            send(job)
        finally:
            JOBS.task_done()  # ok: in finally


def sentinel_worker(jobs):
    while True:
        job = jobs.get()
        if job is STOP:
            jobs.task_done()  # ok: nothing can raise between get() and this sentinel task_done()
            break
        try:
            send(job)
        finally:
            jobs.task_done()  # ok: in finally


def swallowing_worker(jobs):
    while True:
        job = jobs.get()
        try:
            send(job)
        except Exception:
            log.exception("sending %s failed", job)
        jobs.task_done()  # ok: the broad except swallows processing errors


def skipping_worker(jobs):
    while not jobs.empty():
        job = jobs.get()
        try:
            receipt = send(job)
            if not receipt:
                jobs.task_done()  # ok: an error above lands in the except, then in the task_done() after the try
                continue
            log.info("sent %s", receipt)
        except Exception:
            log.exception("sending %s failed", job)
        jobs.task_done()  # ok: the broad except swallows processing errors


def bailing_worker(jobs, retries):
    for _attempt in range(retries):
        batch = jobs.get()
        try:
            sent = send(batch)
            if sent is None:
                jobs.task_done()  # expect: HB402 "function 'bailing_worker'"
                break
        except Exception:
            return  # leaves without the task_done() below
        jobs.task_done()  # ok: nothing can raise between the try and it


def retrying_worker(jobs):
    while True:
        job = jobs.get()
        try:
            send(job)
        except ConnectionError:
            jobs.put(job)
        jobs.task_done()  # expect: HB402 "jobs.task_done() is not in a finally" "function 'retrying_worker'"


async def async_worker(inbox: asyncio.Queue):
    while True:
        message = await inbox.get()
        await deliver(message)
        inbox.task_done()  # expect: HB402 "inbox.task_done() is not in a finally" "function 'async_worker'"


async def deliver(message):
    await message.transport.send(message.body)


def quiet_worker():
    while True:
        job = JOBS.get()
        send_quietly(job)
        JOBS.task_done()  # ok: send_quietly() catches everything, nothing can skip this


def note_worker():
    while True:
        note = NOTES.get()
        send(note)
        NOTES.task_done()  # ok: nothing ever joins NOTES, a skipped task_done() blocks nobody


def ack_only(jobs):
    jobs.task_done()  # ok: no get() here, the item came from elsewhere


def counted(jobs, stats):
    job = jobs.get()
    stats.count += 1
    jobs.task_done()  # ok: nothing that can raise after get()


class Pipeline:
    def __init__(self):
        self.inbox = queue.Queue()

    def run(self):
        while True:
            item = self.inbox.get()
            self.handle(item)
            self.inbox.task_done()  # expect: HB402 "self.inbox.task_done() is not in a finally" "method 'Pipeline.run'"

    def run_safely(self):
        while True:
            item = self.inbox.get()
            try:
                self.handle(item)
            except BaseException:
                self.inbox.task_done()  # ok: error path handled in except
                raise
            else:
                self.inbox.task_done()  # ok: nothing can raise between the try and it

    def handle(self, item):
        self.sink.write(item)

    def handle_safely(self, item):
        try:
            self.handle(item)
        except Exception:
            log.exception("item %r failed", item)

    def run_quietly(self):
        while True:
            item = self.inbox.get()
            self.handle_safely(item)
            self.inbox.task_done()  # ok: handle_safely() catches everything

    def drain(self):
        self.inbox.join()


threading.Thread(target=mail_worker, daemon=True).start()


class Relay:
    def __init__(self, inbox):
        self.inbox = inbox

    def pump(self):
        while True:
            item = self.inbox.get()
            send(item)
            self.inbox.task_done()  # ok: nothing in this module joins self.inbox (another queue's join is not its)


DIGESTS = asyncio.Queue()
RECEIPTS = asyncio.Queue()


async def digest_worker():
    while True:
        digest = await DIGESTS.get()
        await digest.deliver()
        DIGESTS.task_done()  # ok: DIGESTS is only joined under a deadline (flush_digests)


async def flush_digests():
    await asyncio.wait_for(DIGESTS.join(), timeout=30)


async def receipt_worker():
    while True:
        receipt = await RECEIPTS.get()
        await receipt.deliver()
        RECEIPTS.task_done()  # expect: HB402 "function 'receipt_worker'"


async def flush_receipts():
    async with asyncio.timeout(30):
        await RECEIPTS.join()
    await RECEIPTS.join()  # a second join, with no deadline, waits for good


# Export pipeline: a reader feeds rows to an encoder, which feeds a writer; the run joins both.
PROGRESS_EVERY = 500


async def encode_rows(rows: "asyncio.Queue[dict]", encoded: "asyncio.Queue[bytes]"):
    while True:
        row = await rows.get()
        try:
            blob = encode(row)
        except Exception:
            rows.task_done()
            continue
        await encoded.put(blob)
        rows.task_done()  # ok: only a cancellation interrupts `await encoded.put()`, and the run cancels after join()


async def write_rows(encoded: "asyncio.Queue[bytes]", sink):
    written = 0
    while True:
        blob = await encoded.get()
        await asyncio.sleep(0)
        written += 1
        if written % PROGRESS_EVERY == 0:
            log.info("exported %d rows", written)
        encoded.task_done()  # ok: a constant divisor and a cancellation-only await


async def write_rows_to(encoded: "asyncio.Queue[bytes]", sink):
    while True:
        blob = await encoded.get()
        await sink.write(blob)
        encoded.task_done()  # expect: HB402 "function 'write_rows_to'"


async def tally_rows(encoded: "asyncio.Queue[bytes]", every):
    seen = 0
    while True:
        await encoded.get()
        seen += 1
        if seen % every == 0:
            log.info("%d rows", seen)
        encoded.task_done()  # expect: HB402 "function 'tally_rows'"


async def export(rows, encoded, sink):
    workers = [asyncio.create_task(encode_rows(rows, encoded)), asyncio.create_task(write_rows(encoded, sink))]
    await rows.join()
    await encoded.join()
    for worker in workers:
        worker.cancel()
