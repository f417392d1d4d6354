"""The job queue: Huey on Redis in production, on a SQLite file by default; the same task code on both.

Areas declare tasks with `@huey.task()` / `@huey.periodic_task(...)`; `flask worker` runs the consumer.
"""

from pathlib import Path
from urllib.parse import urlparse

from huey import RedisHuey, SqliteHuey

from lltp.config import queue_url


def make_huey(url):
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("lltp", url=url)
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        raise ValueError(f"unsupported queue URL: {url}")
    path = Path(parsed.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("lltp", filename=str(path))


huey = make_huey(queue_url())


def check(queue=None):
    """Whether the queue's storage answers, with its backlog, for /healthz."""
    queue = queue or huey
    try:
        return {"ok": True, "backend": type(queue).__name__, "pending": queue.pending_count()}
    except Exception as error:  # monitoring wants the failure, not a traceback
        return {"ok": False, "backend": type(queue).__name__, "error": type(error).__name__}
