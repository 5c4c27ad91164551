"""HB402 fix: the processing between get() and task_done() goes in try, task_done() in finally."""
import asyncio
import logging
import queue
import threading

log = logging.getLogger(__name__)
JOBS = queue.Queue()


def mail_worker():
    while True:
        job = JOBS.get()

        # Send it; this can raise.
        try:
            send(job)
        finally:
            JOBS.task_done()  # one per get()


def retrying_worker(jobs: queue.Queue):
    while True:
        job = jobs.get()
        try:
            send(job)
        except ConnectionError:
            jobs.put(job)
        finally:
            jobs.task_done()


async def async_worker(inbox: asyncio.Queue):
    while True:
        message = await inbox.get()
        try:
            await deliver(message)
        finally:
            inbox.task_done()


def send(job):
    job.mailer.send_message(job.message)


async def deliver(message):
    await message.transport.send(message.body)


def wait_idle():
    JOBS.join()


def run_batch(items):
    batch = queue.Queue()
    for item in items:
        batch.put(item)
    threading.Thread(target=retrying_worker, args=(batch,), daemon=True).start()
    batch.join()


async def flush(inbox: asyncio.Queue):
    await inbox.join()
