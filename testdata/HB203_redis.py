"""A rate-limited API with a Redis cache and job queue (redis-py, sync and asyncio)."""
import os

import redis
import redis.asyncio as aioredis
from fastapi import FastAPI
from redis import Redis, StrictRedis

from api.cache import Redis as LocalRedis

app = FastAPI()
REDIS_URL = os.environ.get("REDIS_URL", "redis://redis:6379/0")
REDIS_TIMEOUT = 2.5
REDIS_OPTIONS = {"socket_timeout": REDIS_TIMEOUT, "decode_responses": True}

cache = redis.Redis(host="redis", port=6379, decode_responses=True)  # expect: HB203 "redis.Redis() has no timeout" "pass socket_timeout=<seconds>"
limits = Redis.from_url(REDIS_URL)  # expect: HB203 "Redis.from_url() has no timeout" "redis-py reads every reply with none"
legacy = StrictRedis(host="redis", db=1)  # expect: HB203 "StrictRedis() has no timeout"
bounded = redis.Redis(host="redis", socket_timeout=REDIS_TIMEOUT)  # ok: socket_timeout given (a name)
positional = Redis("redis", 6379, 0, None, REDIS_TIMEOUT)  # ok: the fifth positional is socket_timeout
configured = Redis(**REDIS_OPTIONS)  # ok: the dict holds "socket_timeout"
pool = redis.ConnectionPool(host="redis", socket_timeout=REDIS_TIMEOUT)
pooled = Redis(connection_pool=pool)  # ok: the caller's pool carries its settings
connect_bounded = Redis(host="redis", socket_connect_timeout=1)  # ok: a timeout given (its connect's)
local = LocalRedis("redis")  # ok: the project's own class


def queue_for(tenant):
    return redis.from_url(f"{REDIS_URL}?db={tenant}", socket_timeout=None)  # expect: HB203 "redis.from_url() passes socket_timeout=None" "function 'queue_for'"


@app.get("/jobs/{job_id}")
async def job_status(job_id: str):
    client = aioredis.from_url(REDIS_URL)  # expect: HB203 "aioredis.from_url() has no timeout" "handler 'job_status'"
    status = await client.hget(f"job:{job_id}", "status")
    bounded_client = aioredis.Redis(host="redis", socket_timeout=REDIS_TIMEOUT)  # ok: socket_timeout given
    await bounded_client.expire(f"job:{job_id}", 3600)
    return {"status": status}
