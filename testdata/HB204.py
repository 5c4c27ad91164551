"""Report rendering views that shell out to converters."""
import subprocess
from subprocess import PIPE, Popen, check_output

from django.http import FileResponse, HttpResponse
from django.urls import path
from django.views import View

CONVERT_TIMEOUT = 60


def render_pdf(request, report_id):
    src, dst = f"/tmp/{report_id}.html", f"/tmp/{report_id}.pdf"
    subprocess.run(["wkhtmltopdf", src, dst], check=True)  # expect: HB204 "subprocess.run() has no timeout" "handler 'render_pdf'"
    subprocess.run(["pdfinfo", dst], check=True, timeout=CONVERT_TIMEOUT)  # ok: timeout by name
    version = check_output(["wkhtmltopdf", "--version"])  # expect: HB204 "check_output() has no timeout" "handler 'render_pdf'"
    check_output(["qpdf", "--check", dst], timeout=10)  # ok: number
    subprocess.call(["sync"], **{"timeout": 5})  # ok: literal **dict timeout
    return FileResponse(open(dst, "rb"), headers={"X-Renderer": version.decode()})


class ThumbnailView(View):
    def post(self, request):
        proc = Popen(["convert", "-", "png:-"], stdin=PIPE, stdout=PIPE)
        out, _ = proc.communicate(request.body)  # expect: HB204 "proc.communicate() has no timeout" "handler 'ThumbnailView.post'"
        proc2 = subprocess.Popen(["optipng", "-"], stdin=PIPE, stdout=PIPE)
        small, _ = proc2.communicate(out, 30)  # ok: positional timeout
        with Popen(["exiftool", "-"], stdin=PIPE) as proc3:
            proc3.wait()  # expect: HB204 "proc3.wait() has no timeout" "handler 'ThumbnailView.post'"
        with Popen(["true"]) as proc4:
            proc4.wait(timeout=5)  # ok: keyword timeout
        return HttpResponse(small, content_type="image/png")

    def get(self, request):
        worker = request.META["worker"]
        worker.wait()  # ok: receiver of unknown kind
        self.run_cleanup(request)
        return HttpResponse("ok")

    def run_cleanup(self, request):
        subprocess.check_call(["find", "/tmp", "-name", "*.png", "-delete"])  # expect: HB204 "subprocess.check_call() has no timeout" "handler 'ThumbnailView.get' via run_cleanup()"


def rebuild_all():
    # Management command helper, not a view: may wait.
    subprocess.run(["make", "all"], check=True)  # ok: not reachable from a handler


urlpatterns = [
    path("reports/<int:report_id>.pdf", render_pdf),
    path("thumbnails/", ThumbnailView.as_view()),
]
