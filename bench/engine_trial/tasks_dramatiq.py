import os
import time

import dramatiq
import redis

if os.environ["BROKER"].startswith("amqp"):
    from dramatiq.brokers.rabbitmq import RabbitmqBroker as B

    broker = B(url=os.environ["BROKER"])
else:
    from dramatiq.brokers.redis import RedisBroker as B

    broker = B(url=os.environ["BROKER"])
dramatiq.set_broker(broker)
r = redis.Redis(db=5)


@dramatiq.actor(max_retries=0)
def work(i, slow=0.0):
    if slow:
        time.sleep(slow)
    r.sadd("trial:done", i)
