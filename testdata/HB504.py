"""Media service: Django views that process uploads in parallel."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from multiprocessing.pool import ThreadPool

from django.http import JsonResponse
from django.views import View

from .imaging import make_thumbnail, transcode
from .models import Upload

SHARED_POOL = ThreadPoolExecutor(max_workers=8)  # ok: module level, shared


class ThumbnailView(View):
    def post(self, request):
        pool = ThreadPoolExecutor(max_workers=4)  # expect: HB504 "ThreadPoolExecutor() is created per request and never shut down" "handler 'ThumbnailView.post'"
        futures = [pool.submit(make_thumbnail, f) for f in request.FILES.values()]
        return JsonResponse({"thumbs": [f.result() for f in futures]})


class ThumbnailTimedView(View):
    def post(self, request):
        pool = ThreadPoolExecutor(max_workers=4)  # ok: waited with a timeout, then dropped: `with` would wait out a hung thumbnail
        futures = [pool.submit(make_thumbnail, f) for f in request.FILES.values()]
        return JsonResponse({"thumbs": [f.result(timeout=30) for f in futures]})


class HealthView(View):
    def get(self, request):
        """Runs every check at once; a check that hangs must not hold up the answer."""
        status = {}
        checks = request.registry.checks
        pool = ThreadPoolExecutor(max_workers=max(1, len(checks)))  # ok: wait() below has a timeout; shutting down would defeat it
        futures = {pool.submit(check, request): name for name, check in checks.items()}
        done, not_done = wait(futures, timeout=5)
        for future in done:
            status[futures[future]] = future.exception() is None
        for future in not_done:
            status[futures[future]] = False
        return JsonResponse(status, status=200 if all(status.values()) else 503)


class HealthQueuedView(View):
    def get(self, request):
        checks = request.registry.checks
        pool = ThreadPoolExecutor(max_workers=4)  # expect: HB504 "ThreadPoolExecutor() is created per request and never shut down" "handler 'HealthQueuedView.get'"
        for check in checks.values():
            pool.submit(check, request)  # nothing waits: the work outlives the request, its errors unseen
        return JsonResponse({"queued": len(checks)})


class ReportTimedView(View):
    def get(self, request):
        pool = multiprocessing.Pool(4)  # expect: HB504 "multiprocessing.Pool() is created per request and never shut down" "handler 'ReportTimedView.get'"
        sizes = pool.map_async(len, [u.path for u in Upload.objects.all()]).get(timeout=10)
        return JsonResponse({"total": sum(sizes)})


class TranscodeView(View):
    def post(self, request):
        with ProcessPoolExecutor(max_workers=2) as pool:  # ok: with block
            results = list(pool.map(transcode, request.FILES.values(), timeout=120))
        return JsonResponse({"videos": results})


class ReportView(View):
    def get(self, request):
        pool = multiprocessing.Pool(4)  # expect: HB504 "multiprocessing.Pool() is created per request and never shut down" "handler 'ReportView.get'"
        sizes = pool.map(len, [u.path for u in Upload.objects.all()])
        return JsonResponse({"total": sum(sizes)})


class ReportPoolClosedView(View):
    def get(self, request):
        pool = multiprocessing.Pool(4)  # ok: closed and joined in finally
        try:
            sizes = pool.map(len, [u.path for u in Upload.objects.all()])
        finally:
            pool.close()
            pool.join()
        return JsonResponse({"total": sum(sizes)})


class ChecksumView(View):
    def get(self, request):
        ThreadPool(8).map(make_thumbnail, Upload.objects.all())  # expect: HB504 "ThreadPool() is created per request and never shut down" "handler 'ChecksumView.get'"
        return JsonResponse({"ok": True})


class ChecksumShutdownView(View):
    def get(self, request):
        executor = ThreadPoolExecutor(max_workers=2)  # ok: shut down
        future = executor.submit(transcode, request.GET["id"])
        executor.shutdown(wait=False)
        return JsonResponse({"queued": future.done()})


class SharedPoolView(View):
    def get(self, request):
        future = SHARED_POOL.submit(make_thumbnail, request.GET["id"])  # ok: shared executor
        return JsonResponse({"thumb": future.result(timeout=10)})


class AsyncView(View):
    async def get(self, request):
        import asyncio

        executor = ThreadPoolExecutor(max_workers=1)  # expect: HB504 "ThreadPoolExecutor() is created per request and never shut down" "handler 'AsyncView.get'"
        loop = asyncio.get_running_loop()
        thumb = await loop.run_in_executor(executor, make_thumbnail, request.GET["id"])
        return JsonResponse({"thumb": thumb})


class MediaService:
    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=4)  # ok: stored on self, owned by the service

    def close(self):
        self.pool.shutdown()


def build_pool(size):
    # A factory: the caller owns it.
    return ThreadPoolExecutor(max_workers=size)  # ok: returned


def offline_rebuild():
    # Management command, not a view.
    pool = ThreadPoolExecutor(max_workers=4)  # ok: not reachable from a handler
    pool.map(make_thumbnail, Upload.objects.all())
