"""Tornado handlers: Tornado never cancels a handler's coroutine when its client goes away."""
import asyncio
import logging

import tornado.web

log = logging.getLogger(__name__)


class ProgressHandler(tornado.web.RequestHandler):
    async def get(self, job_id):
        spawn = self.application.jobs[job_id]
        try:
            async for event in spawn.progress():
                self.write(event)
                await self.flush()
        except asyncio.CancelledError:  # ok: the job's future was cancelled, not this request; Tornado never cancels a handler
            log.info("job %s stopped reporting", job_id)
        await asyncio.wait([spawn.future])
        self.finish()
