"""Django's Redis cache, failing soft: an unreachable or hung Redis is a miss (reads) or nothing
done (writes), logged, so a cache outage costs speed and never a page."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ForgivingRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            logger.warning("cache unavailable: %s", error)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            logger.warning("cache unavailable: %s", error)
