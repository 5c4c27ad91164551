"""The confirmation child: load the app, serve it, send the finding's requests, report.

Runs in its own process (`confirm` starts one per finding and kills its process group), so stuck
threads and patches die with it. It never imports the rules or libcst: the finding's run-time
signature arrives as data. What it returns is an observation, never a verdict:

- the routes tried, the status each request got, how often the finding's lines ran and how
  their function left when it skipped them (the probe);
- the TestServer's report (stuck handlers, loop blocks, leaks);
- or why nothing could be observed: the app did not import, hung at import, is a factory given
  without `()`, or no route reaches the line.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
import threading
import time
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from .matching import finding_lines, function_of, match, statement_span, table_from_dict
from .routes import Target, discover, handlers_for, parse_route, reaches

WARM_UP_PATH = "/.well-known/flake8-handler-block-warm-up"  # any path: the framework's first-use work
_CSRF = "hbcsrf" + "0" * 26  # a well-formed Django CSRF secret, sent as cookie and header
_MAX_TARGETS = 4  # routes tried per finding: the child's time is bounded by what it sends


class Unusable(Exception):
    """The app cannot be run as given: the child reports why (an inconclusive verdict)."""


def load_app(spec: str) -> Any:
    module_name, _, attr = spec.rpartition(":")
    if module_name.endswith(".py") or os.sep in module_name or "/" in module_name:
        path = os.path.abspath(module_name)
        sys.path.insert(0, os.path.dirname(path))
        name = os.path.splitext(os.path.basename(path))[0]
        loader_spec = importlib.util.spec_from_file_location(name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        loader_spec.loader.exec_module(module)
    else:
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        module = importlib.import_module(module_name)
    call = attr.endswith("()")
    obj: Any = module
    for part in attr[:-2].split(".") if call else attr.split("."):
        obj = getattr(obj, part)
    if call:
        return obj()
    if _looks_like_factory(obj):
        raise Unusable(f"{spec} is a function taking no arguments, not an app: an app factory? "
                       f"give --app {spec}()")
    return obj


def _looks_like_factory(obj: Any) -> bool:
    if not inspect.isfunction(obj) or inspect.iscoroutinefunction(obj):
        return False
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return False
    required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return not required  # a WSGI app takes (environ, start_response)


def _load_with_deadline(spec: str, limit: float) -> Any:
    """Import the app in a thread; an import still running after `limit` is reported, with its line."""
    box: Dict[str, Any] = {}

    def run() -> None:
        try:
            box["app"] = load_app(spec)
        except BaseException as exc:  # reported, never raised in the child
            box["error"] = exc

    thread = threading.Thread(target=run, name="hb-import", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        from .stacks import current_frames, describe, thread_frames

        frame = current_frames().get(thread.ident or 0)
        where = describe(thread_frames(frame)) if frame is not None else None
        at = f" at {where.site.short()} [{where.state}]" if where is not None and where.site else ""
        raise Unusable(f"importing {spec} still running after {limit:g}s (the app hangs at import){at}")
    error = box.get("error")
    if isinstance(error, Unusable):
        raise error
    if error is not None:
        raise Unusable(f"cannot import {spec}: {type(error).__name__}: {error}")
    return box["app"]


def _pre_import(app: Any) -> None:
    """Import what a framework imports lazily on the first request (Django's URLconf and views)."""
    from .routes import is_django

    if is_django(app):
        urls = importlib.import_module("django.urls")
        urls.get_resolver().url_patterns  # noqa: B018  (imports every urls and views module)


def choose_targets(app: Any, spec: Dict[str, Any]) -> Tuple[List[Target], str]:
    """Requests for this finding: its own mapping, else the given routes that reach its line,
    else the app's routes whose handler reaches it. Empty means no route (with the reason)."""
    file, line = spec["file"], spec["line"]
    mapped = [Target(*parse_route(r)) for r in spec.get("mapped", [])]
    if mapped:
        return mapped, ""
    given = [Target(*parse_route(r)) for r in spec.get("routes", [])]
    if given:
        kept = []
        for target in given:
            handlers = handlers_for(app, target.method, target.path)
            if handlers is None or any(reaches(h, file, line) for h in handlers):
                kept.append(target)
        why = "" if kept else (f"none of the routes given ({', '.join(t.text for t in given)}) has a handler "
                               f"that runs {os.path.relpath(file)}:{line}")
        return kept, why
    found, how = discover(app, file, line)
    why = "" if found else (f"no route of {spec['app']} ({how}) has a handler covering "
                            f"{os.path.relpath(file)}:{line} (give --route \"METHOD /path\")")
    return found, why


def _request_parts(target: Target, data: Optional[str]) -> Tuple[Optional[bytes], Dict[str, str]]:
    if target.method in ("GET", "HEAD", "OPTIONS", "DELETE") and target.body is None:
        return None, {}
    body = data if data is not None else (target.body or "{}")
    return body.encode(), {
        "Content-Type": "application/json",
        "Cookie": f"csrftoken={_CSRF}",  # Django's CSRF check passes with a matching pair
        "X-CSRFToken": _CSRF,
    }


def statuses_text(statuses: List[str]) -> str:
    counts = Counter(statuses)
    return ", ".join(f"{s}x{n}" if n > 1 else s for s, n in counts.most_common())


class Sending:
    """What sending the finding's requests produced, beside the server's report."""

    def __init__(self) -> None:
        self.sent = 0
        self.statuses: List[str] = []
        self.tried: List[str] = []
        self.stuck = False  # a handler is still in flight: close without waiting again
        self.seen: List[Any] = []  # stuck handlers as seen when sending stopped


def send(server: Any, targets: List[Target], spec: Dict[str, Any], probe: Any, table: Any) -> Sending:
    """Send each target up to `repeat` times until the finding's line is seen doing what it says.

    A route whose requests do not run the line (twice) is left for the next; a route left stuck
    somewhere else cannot reach the line any more and is left too.
    """
    from .report import Report

    file, line, code = spec["file"], spec["line"], spec.get("code")
    deadline = float(spec["deadline"])
    out = Sending()
    for target in targets:
        out.tried.append(target.text)
        ran = False
        for attempt in range(int(spec["repeat"])):
            body, headers = _request_parts(target, spec.get("data"))
            runs = probe.hits
            call = server.fire(target.method, target.path, body, headers, timeout=deadline + 60)
            out.sent += 1
            done = call.wait(deadline)
            left = server.wait_idle(max(0.0, deadline - 0.05) if done else 0.0)
            seen = Report(stuck=left, leaks=server.leaks(), loop_blocks=server.loop_blocks())
            if left and match(seen, file, line, code, table) is None:
                # not (yet) what the finding says: give it another deadline, then look again
                # (a slow start - httpx building its SSL context - is not the hang)
                done = call.wait(deadline) or done
                left = server.wait_idle(0.0)
                seen = Report(stuck=left, leaks=server.leaks(), loop_blocks=server.loop_blocks())
            out.statuses.append(str(call.status) if call.status else ("no answer" if not call.done else "error"))
            ran = ran or probe.hits > runs or bool(probe.skipped)
            if match(seen, file, line, code, table) is not None or (left and ran):
                out.stuck = bool(left) or not done
                out.seen = left  # as they were when the decision was made (close() looks again)
                return out
            if left or not done:
                out.stuck = True  # stuck elsewhere: this route cannot reach the line now
                break
            if not ran and attempt >= 1:
                break  # two requests and the line never ran: try the next route
    return out


def run(spec: Dict[str, Any]) -> Dict[str, Any]:
    from .probe import LineProbe
    from .server import TestServer, detect_kind

    deadline = float(spec["deadline"])
    try:
        app = _load_with_deadline(spec["app"], float(spec.get("import_timeout", 10.0)))
        _pre_import(app)
        detect_kind(app)
    except Unusable as exc:
        return {"status": "inconclusive", "detail": str(exc)}
    except Exception as exc:
        return {"status": "inconclusive", "detail": f"cannot serve {spec['app']}: {type(exc).__name__}: {exc}"}
    file, line = spec["file"], spec["line"]
    table = table_from_dict(spec.get("signatures", {}))
    targets, why = choose_targets(app, spec)
    if not targets:
        return {"status": "no-route", "detail": why}
    function = function_of(file, line)
    header = function is not None and statement_span(file, line)[0] == function[0]
    probe = LineProbe(file, set(finding_lines(file, line)), function, header)
    probe.start()
    start = time.monotonic()
    # the child ends with os._exit: stuck threads need no HandlerAbandoned (which, under the probe's
    # tracer, would make CPython 3.11 spin)
    # a loop held for less than a request may take is not a hang (httpx builds an SSL context in
    # AsyncClient(), ~0.1-0.3 s)
    server = TestServer(app, outbound=spec["outbound"], deadline=deadline, abandon=False,
                        loop_block=deadline)
    server.start()
    sending = Sending()
    try:
        server.warm_up("GET", WARM_UP_PATH, timeout=max(5.0, deadline * 2))
        sending = send(server, targets[:_MAX_TARGETS], spec, probe, table)
    finally:
        report = server.close(0.0 if sending.stuck else deadline)
        probe.stop()
    known = {(h.request, h.site) for h in report.stuck}
    report.stuck[:0] = [h for h in sending.seen if (h.request, h.site) not in known]
    return {
        "status": "ok", "routes": sending.tried, "requests": sending.sent, "statuses": sending.statuses,
        "line_runs": probe.hits, "skipped": probe.skipped, "seconds": round(time.monotonic() - start, 2),
        "module_level": function is None, "report": report.to_dict(),
    }
