"""Live feed service: aiohttp handlers that stream events to browsers over websockets and SSE."""
import asyncio
import concurrent.futures
import logging
from asyncio import CancelledError

import anyio
from aiohttp import web

from .bus import EventBus, render_event

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
bus = EventBus()


@routes.get("/ws/feed")
async def feed(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    try:
        async for event in bus.subscribe():
            await ws.send_json(event)
    except asyncio.CancelledError:  # expect: HB602 "except asyncio.CancelledError swallows cancellation" "handler 'feed'"
        log.info("client left the feed")
    finally:
        await ws.close()
    return ws


@routes.get("/sse/orders")
async def order_stream(request):
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await resp.prepare(request)
    while True:
        try:
            event = await bus.next_order()
            await resp.write(render_event(event))
        except CancelledError:  # expect: HB602 "except CancelledError swallows cancellation" "handler 'order_stream'"
            break
        except ConnectionResetError:  # ok: not a cancellation
            break
    return resp


@routes.post("/orders/{oid}/sync")
async def sync_order(request):
    oid = request.match_info["oid"]
    try:
        await bus.publish("sync", oid)
    except BaseException:  # expect: HB602 "except BaseException swallows cancellation" "handler 'sync_order'"
        log.exception("sync of %s failed", oid)
        return web.json_response({"ok": False}, status=500)
    try:
        await bus.publish("audit", oid)
    except:  # expect: HB602 "bare except: swallows cancellation" "handler 'sync_order'"
        pass
    try:
        await bus.publish("metrics", oid)
    except Exception:  # ok: Exception does not catch CancelledError on 3.8+
        log.exception("metrics failed")
    try:
        await bus.publish("search", oid)
    except (asyncio.CancelledError, asyncio.TimeoutError):  # expect: HB602 "except asyncio.CancelledError swallows cancellation" "handler 'sync_order'"
        return web.json_response({"ok": False}, status=503)
    return web.json_response({"ok": True})


@routes.get("/orders/{oid}")
async def get_order(request):
    oid = request.match_info["oid"]
    try:
        order = await bus.fetch_order(oid)
    except asyncio.CancelledError:  # ok: logs, then re-raises
        log.info("fetch of %s cancelled", oid)
        raise
    except BaseException:  # ok: cleans up, then re-raises
        await bus.release(oid)
        raise
    try:
        total = int(order["total"])
    except BaseException:  # ok: nothing awaited in the try, cancellation cannot arrive here
        total = 0
    try:
        await bus.touch(oid)
    except concurrent.futures.CancelledError:  # ok: a different class from asyncio.CancelledError
        pass
    return web.json_response({"order": order, "total": total})


@routes.get("/orders/{oid}/watch")
async def watch_order(request):
    oid = request.match_info["oid"]
    heartbeat = asyncio.create_task(bus.heartbeat(oid))
    try:
        return web.json_response(await bus.wait_for_change(oid))
    finally:
        heartbeat.cancel()
        try:
            async with asyncio.timeout(1):
                await heartbeat
        except asyncio.CancelledError:  # ok: awaits the task it cancelled itself
            pass


@routes.post("/orders/{oid}/push")
async def push_order(request):
    oid = request.match_info["oid"]
    pusher = asyncio.create_task(push_to_partners(oid))
    request.app["pushers"].add(pusher)
    pusher.add_done_callback(request.app["pushers"].discard)
    return web.json_response({"queued": True})


async def push_to_partners(oid):
    # Runs as a task of its own: the request's cancellation never reaches it.
    try:
        await bus.publish("partners", oid)
    except asyncio.CancelledError:  # ok: a spawned task, not the request's task
        log.info("push of %s stopped", oid)


@routes.get("/orders/{oid}/pollers")
async def pollers(request):
    tasks = [asyncio.create_task(bus.poll(shard)) for shard in range(4)]
    await asyncio.sleep(1)
    for task in tasks:
        task.cancel()
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:  # ok: the cancelled tasks are this handler's own
        pass
    return web.json_response({"polled": len(tasks)})


class SyncFailed(Exception):
    pass


async def reindex_order(oid):
    try:
        await bus.publish("reindex", oid)
    except BaseException as exc:  # expect: HB602 "except BaseException turns cancellation into SyncFailed" "handler 'refresh_order' via reindex_order()" "timeouts, TaskGroup and the server see an ordinary error"
        raise SyncFailed(oid) from exc


@routes.post("/orders/{oid}/refresh")
async def refresh_order(request):
    oid = request.match_info["oid"]
    try:
        await bus.publish("refresh", oid)
    except asyncio.CancelledError:  # ok: the handler ends raising it: the server answers, nothing runs on
        raise web.HTTPServiceUnavailable()
    try:
        await reindex_order(oid)
    except SyncFailed:
        log.warning("reindex of %s failed", oid)
    try:
        await bus.publish("audit", oid)
    except asyncio.CancelledError as exc:  # ok: re-raises the caught cancellation itself
        log.info("audit of %s cancelled", oid)
        raise exc
    try:
        await bus.publish("search", oid)
    except BaseException as exc:  # ok: re-raises when it is a cancellation, logs the rest
        if isinstance(exc, asyncio.CancelledError):
            raise
        log.exception("search update of %s failed", oid)
    return web.json_response({"ok": True})


@routes.get("/orders/{oid}/fetch")
async def fetch_order(request):
    oid = request.match_info["oid"]
    for attempt in range(3):
        try:
            return web.json_response(await bus.fetch_order(oid))
        except (asyncio.CancelledError, ConnectionError):  # expect: HB602 "retries after cancellation" "handler 'fetch_order'" "swallows it until the retries run out"
            if attempt == 2:
                raise
            await asyncio.sleep(0.5)
    for attempt in range(3):
        try:
            return web.json_response(await bus.fetch_order(oid))
        except BaseException as exc:  # ok: a cancellation is re-raised at once, only other errors are retried
            if isinstance(exc, asyncio.CancelledError) or attempt == 2:
                raise
            await asyncio.sleep(0.5)
    for attempt in range(3):
        try:
            return web.json_response(await bus.fetch_order(oid))
        except BaseException as exc:  # ok: whatever is no Exception (a cancellation) is re-raised at once
            if attempt == 2 or not isinstance(exc, Exception):
                raise
            await asyncio.sleep(0.5)
    for attempt in range(3):
        try:
            return web.json_response(await bus.fetch_order(oid))
        except BaseException as exc:  # expect: HB602 "retries after cancellation" "handler 'fetch_order'"
            if attempt == 2 or isinstance(exc, Exception):
                raise
            await asyncio.sleep(0.5)
    return web.json_response({}, status=503)


@routes.post("/orders/{oid}/lock")
async def lock_order(request):
    oid = request.match_info["oid"]
    try:
        await bus.lock(oid)
    except asyncio.CancelledError:
        try:
            await bus.release(oid)
        except BaseException:  # ok: the enclosing clause re-raises the cancellation right after
            log.exception("release of %s failed", oid)
        raise
    try:
        await bus.wait_locked(oid)
    except BaseException as exc:
        if not isinstance(exc, asyncio.CancelledError):
            raise web.HTTPBadGateway() from exc
        else:
            try:
                await bus.release(oid)
            except:  # ok: the enclosing clause re-raises the cancellation it tests for right after
                pass
            raise exc
    try:
        await bus.wait_locked(oid)
    except BaseException as exc:
        if isinstance(exc, ValueError):
            try:
                await bus.release(oid)
            except:  # expect: HB602 "bare except: swallows cancellation" "handler 'lock_order'"
                pass
            raise exc
    cancelled = False
    try:
        await bus.publish("locked", oid)
    except asyncio.CancelledError:  # ok: remembered and re-raised below, after the release
        cancelled = True
    await bus.release(oid)
    if cancelled:
        raise asyncio.CancelledError()
    return web.json_response({"locked": oid})


@routes.post("/orders/{oid}/schedule")
async def schedule_order(request):
    request.app["scheduler"].spawn(poll_order(request.match_info["oid"]))
    return web.json_response({"scheduled": True})


async def poll_order(oid):
    # Started by the framework's scheduler as a task of its own.
    while True:
        await poll_once(oid)


async def poll_once(oid):
    try:
        await bus.poll(oid)
    except asyncio.CancelledError:  # ok: only the scheduler's own task runs this, its owner cancels it to stop it
        log.info("polling %s stopped", oid)


@routes.get("/orders/{oid}/legacy")
def legacy_order(request):
    try:
        return web.json_response(bus.fetch_order_sync(request.match_info["oid"]))
    except BaseException:  # ok: a sync handler has no await to cancel
        return web.json_response({}, status=500)


async def drain_bus():
    # Background task at shutdown, not a handler and not called from one.
    try:
        await bus.drain()
    except asyncio.CancelledError:  # ok: not reached from a handler
        pass


@routes.get("/admin/reload")
async def reload_feeds(request):
    await refresh_subscriptions()
    return web.json_response({"reloaded": True})


async def refresh_subscriptions():
    try:
        await bus.resubscribe()
    except asyncio.CancelledError:  # expect: HB602 "except asyncio.CancelledError swallows cancellation" "handler 'reload_feeds' via refresh_subscriptions()"
        log.warning("resubscribe interrupted")


@routes.get("/chat/{cid}/stream")
async def chat_stream(request):
    client = await bus.connect_model(request.match_info["cid"])
    try:
        return web.json_response(await client.complete())
    finally:
        try:
            await client.disconnect()
        except BaseException as exc:  # ok: best-effort teardown in a finally; an earlier cancel propagates after it
            log.debug("disconnect failed: %s", exc)


@routes.get("/chat/{cid}/close")
async def chat_close(request):
    client = await bus.connect_model(request.match_info["cid"])
    try:
        await client.disconnect()
    except BaseException as exc:  # expect: HB602 "except BaseException swallows cancellation" "handler 'chat_close'"
        log.debug("disconnect failed: %s", exc)
    return web.json_response({"closed": True})


@routes.get("/events/stream")
async def event_stream(request):
    response = web.StreamResponse()
    await response.prepare(request)
    unsubscribe = bus.listen(response)
    try:
        while True:
            await response.write(await bus.next_event())
    except asyncio.CancelledError:  # expect: HB602 "handler 'event_stream' returns normally after its request was cancelled"
        log.debug("stream closed")
    finally:
        unsubscribe()
    return response


@routes.get("/events/stream/v2")
async def event_stream_v2(request):
    response = web.StreamResponse()
    await response.prepare(request)
    try:
        while True:
            await response.write(await bus.next_event())
    except asyncio.CancelledError:  # expect: HB602 "handler 'event_stream_v2' keeps running after its request was cancelled"
        log.debug("stream closed")
    await response.write_eof()
    return response


async def _drain(future):
    """Waits out shielded cleanup under repeated cancellation, then says whether one came."""
    cancelled = False
    while not future.done():
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:  # ok: the flag goes back to callers that raise it
            cancelled = True
    return cancelled


async def _drain_quietly(future):
    cancelled = False
    while not future.done():
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:  # expect: HB602 "via _drain_quietly() keeps running after its request was cancelled"
            cancelled = True
    return cancelled


@routes.post("/feeds/{name}/close")
async def close_feed(request):
    cleanup = asyncio.ensure_future(bus.close(request.match_info["name"]))
    if await _drain(cleanup):
        raise asyncio.CancelledError
    flush = asyncio.ensure_future(bus.flush())
    cancelled = await _drain(flush)
    if cancelled:
        raise CancelledError
    await _drain_quietly(asyncio.ensure_future(bus.compact()))  # the flag is dropped here
    return web.json_response({"closed": True})


class ReplayCancelled(asyncio.CancelledError):
    """A cancellation that carries the events not yet sent."""

    def __init__(self, pending):
        super().__init__()
        self.pending = pending


@routes.get("/ws/replay")
async def replay(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    sent = []
    try:
        async for event in bus.history(request.query.get("since")):
            await ws.send_json(event)
            sent.append(event)
    except asyncio.CancelledError as cancelled:  # ok: raises a CancelledError of its own
        raise ReplayCancelled(len(sent)) from cancelled
    return ws


@routes.post("/feeds/{name}/probe")
async def probe_feed(request):
    try:
        await bus.ping(request.match_info["name"])
    except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        raise
    except BaseException as exc:  # ok: a cancellation never gets past the clause above
        log.warning("probe failed: %s", exc)
    return web.json_response({"ok": True})


@routes.post("/feeds/{name}/touch")
async def touch_feed(request):
    try:
        await bus.touch(request.match_info["name"])
    except CancelledError:  # expect: HB602 "except CancelledError swallows cancellation" "handler 'touch_feed'"
        log.info("touch cancelled")
    except BaseException:  # ok: only the clause above ever sees a cancellation
        log.exception("touch failed")
    return web.json_response({"ok": True})


@routes.post("/feeds/{name}/replay")
async def replay_feed(request):
    replay = await bus.replay(request.match_info["name"])
    await replay.wait()
    with anyio.CancelScope(shield=True):
        try:
            await replay.release()
        except BaseException:  # ok: the shielded scope lets no cancellation from outside in
            log.debug("release failed")
    with anyio.move_on_after(5):
        try:
            await replay.archive()
        except BaseException:  # expect: HB602 "except BaseException swallows cancellation" "handler 'replay_feed'"
            log.debug("archive failed")
    return web.json_response({"ok": True})


@routes.get("/ws/bridge")
async def bridge(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    upstream = await bus.open_pipe(request.query["room"])

    async def client_to_pipe():
        try:
            async for message in ws:
                await upstream.write(message.data)
        except asyncio.CancelledError:  # ok: only the gather runs it, and it ends here: the gather re-raises
            pass
        finally:
            await upstream.close()

    async def pipe_to_client():
        try:
            while True:
                await ws.send_str(await upstream.read())
        except asyncio.CancelledError:  # expect: HB602 "except asyncio.CancelledError swallows cancellation" "handler 'bridge'"
            log.info("pipe closed")
        await upstream.flush_to(ws)

    async def heartbeat():
        try:
            while True:
                await ws.ping()
                await asyncio.sleep(10)
        except asyncio.CancelledError:  # expect: HB602 "except asyncio.CancelledError swallows cancellation" "handler 'bridge'"
            return

    await asyncio.gather(client_to_pipe(), pipe_to_client(), heartbeat())
    await heartbeat()
    return ws


@routes.post("/jobs/{jid}/stop")
async def stop_job(request):
    updates = asyncio.Queue()
    backlog = asyncio.Queue(maxsize=1)
    try:
        await updates.put("stop")
    except BaseException:  # ok: a put on an unbounded queue returns without a turn of the loop
        pass
    try:
        await backlog.put("stop")
    except BaseException:  # expect: HB602 "except BaseException swallows cancellation" "handler 'stop_job'"
        pass
    return web.json_response({"next": [updates.get_nowait(), backlog.get_nowait()]})


@routes.get("/jobs/{jid}/profile")
async def profile_job(request):
    skip = request.query.get("skip") == "1"
    try:
        result = await request.app["jobs"].profile(request.match_info["jid"])
    finally:
        if skip:
            return web.json_response({})  # expect: HB602 "`return` in `finally` swallows cancellation" "handler 'profile_job'" "move the `return` out of the `finally`"
        request.app["profiler"].stop()
    for attempt in range(3):
        try:
            await request.app["jobs"].ping()
        finally:
            if attempt == 2:
                break  # expect: HB602 "`break` in `finally` swallows cancellation" "keeps running after"
    try:
        await request.app["jobs"].flush()
    finally:
        for hook in request.app["hooks"]:
            if hook is None:
                continue  # ok: the loop of the finally itself
            hook()
    done = False
    try:
        await request.app["jobs"].flush()
        done = True
    finally:
        if done:
            return web.json_response({"done": done})  # ok: only once the try got there, nothing in flight
    try:
        request.app["jobs"].mark()
    finally:
        return web.json_response({"result": result})  # ok: the try awaits nothing, nothing to cancel
