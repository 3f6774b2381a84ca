import os
import time

import redis
from celery import Celery

app = Celery("t", broker=os.environ["BROKER"])
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)
r = redis.Redis(db=5)


@app.task(name="work")
def work(i, slow=0.0):
    if slow:
        time.sleep(slow)
    r.sadd("trial:done", i)
