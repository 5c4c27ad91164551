"""HB602 and a streaming response's body: an async generator that every caller hands on uniterated
(``StreamingResponse(rows())``) is run by the framework as the response, which stops reading it
when its client goes. A clause that swallows the cancellation and then ends the generator leaves
nothing of the request running (aim's and agno's streamers); one that goes on awaiting, or a
generator the project iterates itself, is still reported."""

from __future__ import annotations

from pathlib import Path

from project_helpers import markers_hold

STREAMS = '''\
import asyncio
import logging

log = logging.getLogger(__name__)


async def metric_rows(run, bus):
    try:
        async for row in bus.subscribe(run):
            yield row
    except asyncio.CancelledError:  # ok: the response's body ends here, nothing runs on
        log.info("client left run %s", run)


async def log_lines(run, bus):
    if run:
        try:
            while True:
                yield await bus.next_line(run)
        except asyncio.CancelledError:  # ok: ends the body (the `if` is its last statement)
            return


async def audit_rows(run, bus, db):
    try:
        async for row in bus.subscribe(run):
            yield row
    except asyncio.CancelledError:  # expect: HB602 "swallows cancellation"
        log.info("client left run %s", run)
    await db.record_stream_end(run)


async def merged_rows(run, bus):
    try:
        async for row in bus.subscribe(run):
            yield row
    except asyncio.CancelledError:  # expect: HB602 "keeps running"
        pass
'''

ROUTES = '''\
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from .streams import audit_rows, log_lines, merged_rows, metric_rows

app = FastAPI()


@app.get("/runs/{run}/metrics")
async def run_metrics(run: str):
    return StreamingResponse(metric_rows(run, app.state.bus))


@app.get("/runs/{run}/logs")
async def run_logs(run: str):
    return StreamingResponse(log_lines(run, app.state.bus))


@app.get("/runs/{run}/audit")
async def run_audit(run: str):
    return StreamingResponse(audit_rows(run, app.state.bus, app.state.db))


@app.get("/runs/{run}/merged")
async def run_merged(run: str):
    rows = [row async for row in merged_rows(run, app.state.bus)]
    await app.state.db.record_merge(run, len(rows))
    return rows
'''


def test_a_response_body_that_ends_after_the_clause_is_not_reported(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/streams.py": STREAMS, "app/routes.py": ROUTES}
    markers_hold(tmp_path, files, "app/streams.py")
