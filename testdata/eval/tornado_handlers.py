"""Report and archive handlers (Tornado)."""
import multiprocessing
import subprocess
import threading

import requests
import tornado.web
from tornado import gen
from tornado.web import RequestHandler

REPORTS = "https://reports.internal"
READY = threading.Condition()
STATE = {"ready": False}
BARRIER = threading.Barrier(3)


class ReportHandler(tornado.web.RequestHandler):
    def initialize(self, db):
        self.db = db
        self.http = requests.Session()  # ok: HB103 stored on self

    async def get(self, report_id):
        r = self.http.get(f"{REPORTS}/{report_id}", timeout=5)  # expect: HB601; ok: HB201 timeout given
        self.write(r.json())

    def post(self, report_id):
        r = self.http.post(f"{REPORTS}/{report_id}/render")  # expect: HB201
        self.write(r.json())


class ExportHandler(RequestHandler):
    async def get(self):
        proc = subprocess.Popen(["pg_dump", "--schema-only", "shop"], stdout=subprocess.PIPE)
        out, _ = proc.communicate()  # expect: HB204, HB601
        self.write(out)

    def post(self):
        proc = subprocess.Popen(["pg_dump", "shop"], stdout=subprocess.PIPE)
        out, _ = proc.communicate(timeout=300)  # ok: HB204 timeout given
        self.write(out)


class ArchiveHandler(RequestHandler):
    def post(self):
        proc = subprocess.Popen(["tar", "czf", "/tmp/a.tgz", "/srv/uploads"])
        rc = proc.wait()  # expect: HB204
        self.write({"rc": rc})

    def delete(self):
        proc = subprocess.Popen(["rm", "-rf", "/tmp/a.tgz"])
        rc = proc.wait(30)  # ok: HB204 positional timeout
        self.write({"rc": rc})


class ResizeHandler(RequestHandler):
    def post(self):
        pool = multiprocessing.Pool(processes=4)  # expect: HB504
        sizes = pool.map(_resize, self.get_arguments("img"))
        self.write({"sizes": sizes})

    def put(self):
        pool = multiprocessing.Pool(processes=4)  # ok: HB504 close() and join() in finally
        try:
            sizes = pool.map(_resize, self.get_arguments("img"))
        finally:
            pool.close()
            pool.join()
        self.write({"sizes": sizes})

    def patch(self):
        with multiprocessing.pool.ThreadPool(2) as pool:  # ok: HB504 used in with
            sizes = pool.map(_resize, self.get_arguments("img"))
        self.write({"sizes": sizes})


def _resize(path):
    return len(path)


class WaitHandler(RequestHandler):
    def get(self):
        with READY:
            READY.wait()  # expect: HB205
        self.write({"ready": True})

    def head(self):
        with READY:
            ok = READY.wait_for(lambda: STATE["ready"], timeout=2)  # ok: HB205 timeout given
        self.set_status(200 if ok else 503)

    def options(self):
        with READY:
            READY.wait_for(lambda: STATE["ready"])  # expect: HB205
        self.set_status(204)


class RendezvousHandler(RequestHandler):
    def post(self):
        BARRIER.wait()  # expect: HB205
        self.write({"joined": True})

    def put(self):
        BARRIER.wait(timeout=5)  # ok: HB205 timeout given
        self.write({"joined": True})


class RebuildHandler(RequestHandler):
    def post(self):
        p = multiprocessing.Process(target=_rebuild, args=(self.get_argument("index"),))
        p.start()
        p.join()  # expect: HB205
        self.write({"exit": p.exitcode})

    def put(self):
        p = multiprocessing.Process(target=_rebuild, args=(self.get_argument("index"),))
        p.start()
        p.join(60)  # ok: HB205 positional timeout
        self.write({"exit": p.exitcode})


def _rebuild(index):
    return index


class TailHandler(RequestHandler):
    @gen.coroutine
    def get(self):
        while True:  # ok: HB304 yield in the loop
            line = yield self._next_line()
            self.write(line)
            yield self.flush()

    def _next_line(self):
        return gen.sleep(1)


class PingHandler(RequestHandler):
    def get(self):
        t = threading.Thread(target=_warm, daemon=True)
        t.start()  # ok: HB501 joined with a timeout below
        t.join(0.5)  # ok: HB205 positional timeout
        self.write("pong")


def _warm():
    return None


def make_app():
    return tornado.web.Application([
        (r"/reports/(\d+)", ReportHandler, {"db": None}),
        (r"/export", ExportHandler),
        (r"/archive", ArchiveHandler),
        (r"/resize", ResizeHandler),
        (r"/wait", WaitHandler),
        (r"/rendezvous", RendezvousHandler),
        (r"/rebuild", RebuildHandler),
        (r"/tail", TailHandler),
        (r"/ping", PingHandler),
    ])
