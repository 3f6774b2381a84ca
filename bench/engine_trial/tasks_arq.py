import asyncio
from typing import Any, ClassVar

from arq.connections import RedisSettings
from redis.asyncio import Redis


async def startup(ctx):
    ctx["out"] = Redis(db=5)


async def work(ctx, i, slow=0.0):
    if slow:
        await asyncio.sleep(slow)
    await ctx["out"].sadd("trial:done", i)


class WorkerSettings:
    functions: ClassVar[list[Any]] = [work]
    on_startup = startup
    redis_settings = RedisSettings(database=4)
    max_jobs = 4
    job_timeout = 60
