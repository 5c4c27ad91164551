"""Report rendering views that shell out to converters."""
import asyncio
import functools
import os
import signal
import subprocess
from shlex import quote
from subprocess import PIPE, Popen, check_output

from django.http import FileResponse, HttpResponse
from django.urls import path
from django.views import View
from oslo_concurrency import processutils

CONVERT_TIMEOUT = 60
DOCKER_BINARY = "/usr/bin/docker"
STRICT = {"check": True, "capture_output": True}
BOUNDED = {"check": True, "timeout": CONVERT_TIMEOUT}
WKHTMLTOPDF = "/usr/local/bin/wkhtmltopdf"


def render_pdf(request, report_id):
    src, dst = f"/tmp/{report_id}.html", f"/tmp/{report_id}.pdf"
    subprocess.run(["wkhtmltopdf", src, dst], check=True)  # expect: HB204 "subprocess.run() has no timeout" "handler 'render_pdf'"
    subprocess.run(["pdfinfo", dst], check=True, timeout=CONVERT_TIMEOUT)  # ok: timeout by name
    version = check_output(["wkhtmltopdf", "--version"])  # ok: asks the program only for its version: it prints and exits
    tmux = check_output(["tmux", "-V"])  # ok: -V asks tmux only for its version
    subprocess.run(["nginx", "-s", "reload"], check=True)  # ok: signals the running master and exits
    subprocess.run(["/usr/sbin/nginx", "-s", "quit"])  # ok: the same program by its path
    subprocess.run(["nginx", "-c", dst], check=True)  # expect: HB204 "subprocess.run() has no timeout" "handler 'render_pdf'"
    pages = check_output(["wkhtmltopdf", "--version", dst])  # expect: HB204 "check_output() has no timeout" "handler 'render_pdf'"
    check_output(["qpdf", "--check", dst], timeout=10)  # ok: number
    build = check_output("git --exec-path", shell=True)  # ok: asks git only where its helpers are: it prints and exits
    kernel = check_output("uname -rs", shell=True)  # ok: uname prints the kernel's name and exits
    head = check_output(["git", "rev-parse", "HEAD"])  # expect: HB204 "check_output() has no timeout" "handler 'render_pdf'"
    usage = check_output(quote(WKHTMLTOPDF) + " -h || true", shell=True)  # ok: prints its usage; `|| true` keeps the status
    check_output(WKHTMLTOPDF + " --version", shell=True)  # ok: the configured binary asked only for its version
    check_output(WKHTMLTOPDF + " -q " + src, shell=True)  # expect: HB204 "check_output() has no timeout" "handler 'render_pdf'"
    check_output(quote(WKHTMLTOPDF) + " -q - -", shell=True)  # expect: HB204 "check_output() has no timeout" "handler 'render_pdf'"
    check_output(quote(WKHTMLTOPDF) + " -q - - || true", shell=True)  # expect: HB204 "check_output() has no timeout"
    subprocess.call(["sync"], **{"timeout": 5})  # ok: literal **dict timeout
    return FileResponse(open(dst, "rb"), headers={"X-Renderer": version.decode(), "X-Build": build + head + kernel + usage})


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
        with Popen(["optipng", "-version"], stdout=PIPE) as probe:
            about, _ = probe.communicate()  # ok: the Popen only asks the program for its version
        check = Popen(["optipng", "-v", "-"], stdout=PIPE)
        check.wait()  # expect: HB204 "check.wait() has no timeout" "handler 'ThumbnailView.post'"
        return HttpResponse(small, content_type="image/png", headers={"X-Optimizer": about.decode()})

    def get(self, request):
        worker = request.META["worker"]
        worker.wait()  # ok: receiver of unknown kind
        self.run_cleanup(request)
        return HttpResponse("ok")

    def run_cleanup(self, request):
        subprocess.check_call(["find", "/tmp", "-name", "*.png", "-delete"])  # expect: HB204 "subprocess.check_call() has no timeout" "handler 'ThumbnailView.get' via ThumbnailView.run_cleanup()"


def archive(request, report_id):
    subprocess.run(["tar", "czf", f"/tmp/{report_id}.tgz", f"/tmp/{report_id}"], **STRICT)  # expect: HB204 "subprocess.run() has no timeout" "handler 'archive'"
    subprocess.run(["sha256sum", f"/tmp/{report_id}.tgz"], **BOUNDED)  # ok: the dict holds "timeout"
    digest = Popen(["md5sum", f"/tmp/{report_id}.tgz"], stdout=PIPE)
    out, _ = digest.communicate(timeout=CONVERT_TIMEOUT)  # ok: timeout given
    digest.wait()  # ok: communicate() already waited for the exit
    if report_id.endswith(".pdf"):
        check = Popen(["pdfinfo", f"/tmp/{report_id}"], stdout=PIPE)
        check.communicate()  # expect: HB204 "check.communicate() has no timeout" "handler 'archive'"
    else:
        check = Popen(["file", f"/tmp/{report_id}"], stdout=PIPE)
        check.communicate()  # expect: HB204 "check.communicate() has no timeout" "handler 'archive'"
    hook = Popen(["post-archive-hook", str(report_id)], stdout=PIPE)
    try:
        hook.communicate()  # expect: HB204 "hook.communicate() has no timeout" "handler 'archive'"
    except BaseException:
        hook.kill()
        hook.wait()  # ok: after kill(), wait() only reaps the child
        raise
    return HttpResponse(out)


async def transcode(request):
    proc = await asyncio.create_subprocess_exec("ffmpeg", "-i", "-", "-f", "mp3", "-", stdin=PIPE, stdout=PIPE)
    audio, _ = await proc.communicate(request.body)  # expect: HB204 "proc.communicate() is awaited with no deadline" "handler 'transcode'" "asyncio.timeout"
    await proc.wait()  # ok: communicate() already waited for the exit
    probe = await asyncio.create_subprocess_exec("ffprobe", "-")
    async with asyncio.timeout(CONVERT_TIMEOUT):
        await probe.wait()  # ok: a deadline around the await
    tagger = await asyncio.create_subprocess_shell("id3tag -")
    await asyncio.wait_for(tagger.communicate(audio), CONVERT_TIMEOUT)  # ok: wait_for with a timeout
    shell = await asyncio.subprocess.create_subprocess_shell("sync")
    await shell.wait()  # expect: HB204 "shell.wait() is awaited with no deadline" "handler 'transcode'"
    checker = await asyncio.create_subprocess_exec("mp3val", "-")
    try:
        await asyncio.wait_for(checker.wait(), CONVERT_TIMEOUT)
    except asyncio.TimeoutError:
        checker.kill()
        await checker.wait()  # ok: the child was killed, its exit comes at once
    grouped = await asyncio.create_subprocess_exec("sox", "-", start_new_session=True)
    try:
        await asyncio.wait_for(grouped.wait(), CONVERT_TIMEOUT)
    except asyncio.CancelledError:
        os.killpg(grouped.pid, signal.SIGKILL)
        await grouped.wait()  # ok: its process group was sent SIGKILL, the exit comes at once
        raise
    paused = await asyncio.create_subprocess_exec("lame", "-")
    os.kill(paused.pid, signal.SIGCONT)
    await paused.wait()  # expect: HB204 "paused.wait() is awaited with no deadline"
    await asyncio.wait_for(normalise(audio), CONVERT_TIMEOUT)
    return HttpResponse(audio, content_type="audio/mpeg")


async def deploy(request):
    # Prerequisites first: a program asked about itself prints and exits.
    az = await asyncio.create_subprocess_exec("az", "--version", stdout=PIPE, stderr=PIPE)
    await az.communicate()  # ok: the command only asks the program for its version
    docker = await asyncio.create_subprocess_exec(DOCKER_BINARY, "--version", stdout=PIPE)
    await docker.wait()  # ok: the program (named by a variable) only prints its version
    login = await asyncio.create_subprocess_exec("az", "login", "--use-device-code", stdout=PIPE)
    await login.communicate()  # expect: HB204 "login.communicate() is awaited with no deadline" "handler 'deploy'"
    build = await asyncio.create_subprocess_exec("az", "containerapp", "up", stdout=PIPE, stderr=subprocess.STDOUT)
    while True:
        line = await asyncio.wait_for(build.stdout.readline(), CONVERT_TIMEOUT)
        if not line:
            break
        for marker in (b"ERROR", b"https://"):
            if marker in line:
                break  # ends the inner loop only
    await build.wait()  # ok: the output was read line by line to its end: the child is exiting
    push = await asyncio.create_subprocess_exec("docker", "push", request.GET["image"], stdout=PIPE)
    while True:
        line = await push.stdout.readline()
        if not line or b"digest:" in line:
            break
    await push.wait()  # expect: HB204 "push.wait() is awaited with no deadline" "handler 'deploy'"
    return HttpResponse("deployed")


async def normalise(audio):
    # Only ever run under the caller's wait_for: its deadline bounds this wait.
    proc = await asyncio.create_subprocess_exec("sox", "-", "-", stdin=PIPE)
    await proc.communicate(audio)  # ok: the caller's wait_for bounds it


def build_log(request, target):
    lines = []
    with Popen(["make", target], stdout=PIPE, stderr=subprocess.STDOUT) as proc:
        for line in iter(proc.stdout.readline, b""):
            lines.append(line)
        code = proc.wait()  # ok: the child's output was read to its end: it is exiting
    tail = Popen(["tail", "-n", "20", f"/var/log/{target}.log"], stdout=PIPE)
    for line in tail.stdout:
        lines.append(line)
    tail.wait()  # ok: the for loop read the output to its end
    probe = Popen(["make", "-n", target], stdout=PIPE)
    for line in probe.stdout:
        if line.startswith(b"make:"):
            break
    probe.wait()  # expect: HB204 "probe.wait() has no timeout" "handler 'build_log'"
    check = Popen(["make", "-q", target], stdout=subprocess.DEVNULL, stderr=PIPE)
    for line in iter(check.stderr.readline, b""):
        lines.append(line)
    check.wait()  # ok: its stderr was read to its end: it is exiting
    head = Popen(["make", "-p", target], stdout=PIPE)
    first = head.stdout.readline()
    head.wait()  # expect: HB204 "head.wait() has no timeout" "handler 'build_log'"
    return HttpResponse(b"".join(lines) + first, status=200 if code == 0 else 500)


def add_host_key(request, host):
    # ssh-keyscan gives up on a host after -T (5 s by default); timeout(1) kills its command.
    scan = ["ssh-keyscan"]
    if request.GET.get("port"):
        scan.extend(["-p", request.GET["port"]])
    scan.append(host)
    keys = subprocess.run(scan, capture_output=True, check=True).stdout  # ok: bounds itself
    subprocess.run(["timeout", "10", "ssh", host, "true"], check=True)  # ok: timeout(1) bounds it
    probe = ["ssh", host]
    probe.append("true")
    subprocess.run(probe, check=True)  # expect: HB204 "subprocess.run() has no timeout" "handler 'add_host_key'"
    node = subprocess.check_output(["which", "node"]).decode().strip()  # ok: a PATH lookup ends at once
    running = subprocess.run(["pgrep", "-f", "ssh-agent"], capture_output=True)  # ok: lists processes and returns
    which = ["whichever", node]
    subprocess.run(which, check=True)  # expect: HB204 "handler 'add_host_key'"
    command = ["ssh-keyscan", host] if keys else ["ssh", host]
    subprocess.run(command, check=True)  # expect: HB204 "handler 'add_host_key'"
    lookup = "where" if request.GET.get("windows") else "which"
    subprocess.run([lookup, "ssh"], capture_output=True)  # ok: either program is a PATH lookup that ends at once
    remote = "ssh" if keys else "which"
    subprocess.run([remote, host], check=True)  # expect: HB204 "handler 'add_host_key'"
    return HttpResponse(keys)


async def lint_snippet(request):
    source = request.body.decode()
    # A worker thread runs the call with the arguments after it: the request still waits for it.
    checked = await asyncio.to_thread(subprocess.run, ["ruff", "check", "-"], input=source, text=True)  # expect: HB204 "subprocess.run() has no timeout" "handler 'lint_snippet'"
    await asyncio.to_thread(subprocess.run, ["ruff", "format", "-"], input=source, timeout=CONVERT_TIMEOUT)  # ok: the timeout passes on to the call
    await asyncio.to_thread(subprocess.run, ["ruff", "check", "--fix", "-"], **BOUNDED)  # ok: literal **dict timeout, passed on
    loop = asyncio.get_running_loop()
    rules = await loop.run_in_executor(None, check_output, ["ruff", "rule", "--all"])  # expect: HB204 "check_output() has no timeout" "through functools.partial"
    await loop.run_in_executor(None, functools.partial(check_output, ["ruff", "config"], timeout=5))  # ok: partial carries the timeout
    await loop.run_in_executor(None, lambda: check_output(["ruff", "linter"], timeout=5))  # ok: the lambda's call has one
    linter = Popen(["ruff", "check", "--statistics", "-"], stdin=PIPE, stdout=PIPE)
    stats = await asyncio.wait_for(loop.run_in_executor(None, linter.stdout.read), 10)  # ok: the read is handed to a thread, under a deadline
    formatter = Popen(["ruff", "format", "-"], stdin=PIPE)
    await asyncio.wait_for(asyncio.to_thread(formatter.wait), timeout=2)  # ok: the request waits under a deadline
    await asyncio.to_thread(formatter.wait)  # expect: HB204 "formatter.wait() has no timeout" "handler 'lint_snippet'"
    return HttpResponse(checked.stdout + rules + stats)


def clone_repository(request):
    url = request.POST["url"]
    clone = Popen(["git", "clone", url], stdout=PIPE, stderr=PIPE)
    out, err = clone.stdout.read(), clone.stderr.read()  # expect: HB204 "clone.stdout.read() reads the child's output to its end" "clone.communicate(timeout=...)"
    fetch = subprocess.Popen(["git", "-C", "repo", "fetch"], stdout=PIPE)
    fetch.wait(timeout=60)
    fetched = fetch.stdout.read()  # ok: the wait before it ended the child (or raised)
    log = Popen(["git", "-C", "repo", "log"], stdout=PIPE)
    head = log.stdout.read(4096)  # ok: reads what is there, up to 4096 bytes
    log.kill()
    log.wait()  # ok: only reaps the killed child
    with Popen(["git", "-C", "repo", "status"], stdout=PIPE) as status:
        lines = status.stdout.readlines()  # expect: HB204 "status.stdout.readlines()" "handler 'clone_repository'"
    with open("repo/.git/HEAD") as ref:
        branch = ref.read()  # ok: a file, not a child's pipe
    return HttpResponse(out + err + fetched + head + b"".join(lines) + branch.encode())


def _kill_tree(proc):
    proc.kill()
    proc.wait(timeout=5)


def _log_exit(proc):
    print("worker", proc.pid, "timed out")


def probe_video(request):
    proc = Popen(["ffprobe", "-of", "json", "-"], stdin=PIPE, stdout=PIPE)
    try:
        out, _ = proc.communicate(request.body, timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        proc.communicate()  # ok: the helper killed it, this only reaps the child
        return HttpResponse(status=504)
    return HttpResponse(out)


def probe_audio(request):
    proc = Popen(["ffprobe", "-show_streams", "-"], stdin=PIPE, stdout=PIPE)
    try:
        return HttpResponse(proc.communicate(request.body, CONVERT_TIMEOUT)[0])
    except subprocess.TimeoutExpired:
        _log_exit(proc)
        proc.communicate()  # expect: HB204 "proc.communicate() has no timeout" "handler 'probe_audio'"
    return HttpResponse("probe timed out", status=504)


def retry_on_eintr(func, *args, **kw):
    """Run a function and retry it while it is interrupted (EINTR)."""
    while True:
        try:
            return func(*args, **kw)
        except InterruptedError:
            continue


def run_quietly(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, **kwargs)


def build_egg(request, project):
    egg_dir = f"/tmp/eggs/{project}"
    retry_on_eintr(subprocess.check_call, ["python", "setup.py", "bdist_egg", "-d", egg_dir])  # expect: HB204 "retry_on_eintr() passes no timeout on to subprocess.check_call()" "handler 'build_egg'"
    retry_on_eintr(subprocess.check_call, ["python", "setup.py", "clean"], timeout=CONVERT_TIMEOUT)  # ok: the timeout is passed through
    run_quietly(["which", "python"])  # ok: which(1) looks the program up and returns
    run_quietly(["python", "setup.py", "check"])  # expect: HB204 "run_quietly() passes no timeout on to subprocess.run()" "handler 'build_egg'"
    return HttpResponse(egg_dir)


def rebuild_all():
    # Management command helper, not a view: may wait.
    subprocess.run(["make", "all"], check=True)  # ok: not reachable from a handler



def image_info(request, image_id):
    """Inspect an uploaded disk image, as OpenStack services do with oslo.concurrency."""
    path = f"/var/lib/images/{image_id}"
    info, _ = processutils.execute("qemu-img", "info", "--output=json", path)  # expect: HB204 "processutils.execute() has no timeout" "handler 'image_info'"
    checked, _ = processutils.execute("qemu-img", "check", path, timeout=CONVERT_TIMEOUT)  # ok: timeout given
    options = {"timeout": CONVERT_TIMEOUT, "check_exit_code": [0, 1]}
    mapped, _ = processutils.execute("qemu-img", "map", path, **options)  # ok: the dict holds "timeout"
    cursor = request.db.cursor()
    cursor.execute("SELECT 1")  # ok: not a child process
    return HttpResponse(info + checked + mapped)


urlpatterns = [
    path("reports/<int:report_id>.pdf", render_pdf),
    path("thumbnails/", ThumbnailView.as_view()),
    path("reports/<int:report_id>.tgz", archive),
    path("transcode/", transcode),
    path("deploy/", deploy),
    path("build/<str:target>/", build_log),
    path("hosts/<str:host>/", add_host_key),
    path("lint/", lint_snippet),
    path("clone/", clone_repository),
    path("probe/video/", probe_video),
    path("probe/audio/", probe_audio),
    path("eggs/<str:project>/", build_egg),
    path("images/<str:image_id>/", image_info),
]
