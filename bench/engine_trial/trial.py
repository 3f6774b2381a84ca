"""The trial that chose the workers' engine: per engine and broker, the throughput of N
small tasks (1 worker process × 4 threads, late acknowledgement) and whether a task
whose worker is killed with SIGKILL mid-task is done after a restart, and how soon.

Not part of the package: needs a venv with celery 5.7.0 and dramatiq[rabbitmq,redis]
2.2.1 (and another with arq 0.28.0, which wants an older redis), run from this folder:
``PYTHONPATH=. CAP=90 python trial.py dramatiq+rabbitmq`` (engines: see ENGINES).
"""

import asyncio
import os
import signal
import subprocess
import sys
import time

import redis

N = int(os.environ.get("N", "2000"))
r = redis.Redis(db=5)
ENGINES = {
    "celery+rabbitmq": (
        "celery -A tasks_celery worker --pool threads -c 4 -l warning",
        "amqp://guest:guest@127.0.0.1:5672//",
    ),
    "celery+redis": (
        "celery -A tasks_celery worker --pool threads -c 4 -l warning",
        "redis://127.0.0.1:6379/3",
    ),
    "dramatiq+rabbitmq": (
        "dramatiq tasks_dramatiq --processes 1 --threads 4",
        "amqp://guest:guest@127.0.0.1:5672",
    ),
    "dramatiq+redis": (
        "dramatiq tasks_dramatiq --processes 1 --threads 4",
        "redis://127.0.0.1:6379/3",
    ),
    "arq+redis": ("arq tasks_arq.WorkerSettings", "redis://127.0.0.1:6379/4"),
}


def enqueue(engine, items):
    if engine.startswith("celery"):
        from tasks_celery import work

        for i, slow in items:
            work.delay(i, slow)
    elif engine.startswith("dramatiq"):
        from tasks_dramatiq import work

        for i, slow in items:
            work.send(i, slow)
    else:
        from arq import create_pool
        from arq.connections import RedisSettings

        async def go():
            pool = await create_pool(RedisSettings(database=4))
            for i, slow in items:
                await pool.enqueue_job("work", i, slow)

        asyncio.run(go())


def start(cmd, env):
    return subprocess.Popen(
        cmd.split(),
        env=env,
        cwd=os.path.dirname(os.path.abspath(__file__)),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_done(n, cap):
    t = time.monotonic()
    while r.scard("trial:done") < n and time.monotonic() - t < cap:
        time.sleep(0.05)
    return r.scard("trial:done")


engine = sys.argv[1]
cmd, url = ENGINES[engine]
os.environ["BROKER"] = url
env = dict(os.environ)
r.delete("trial:done")
w = start(cmd, env)
time.sleep(4)
t0 = time.monotonic()
enqueue(engine, [(i, 0.0) for i in range(N)])
t1 = time.monotonic()
got = wait_done(N, 120)
t2 = time.monotonic()
print(
    f"{engine}: enqueue {N / (t1 - t0):.0f}/s, enqueue+process {got}/{N}"
    f" in {t2 - t0:.1f}s = {got / (t2 - t0):.0f} tasks/s"
)
# SIGKILL mid-task
r.delete("trial:done")
enqueue(engine, [(-1, 3.0)])
time.sleep(1.5)
os.killpg(w.pid, signal.SIGKILL)
w.wait()
lost = r.scard("trial:done")
w = start(cmd, env)
t3 = time.monotonic()
got = wait_done(1, float(os.environ.get("CAP", "40")))
print(
    f"{engine}: killed mid-task (done before kill: {lost});"
    f" after restart done={got} in {time.monotonic() - t3:.1f}s"
)
os.killpg(w.pid, signal.SIGTERM)
w.wait()
