"""`flask worker`: runs the Huey consumer that delivers queued jobs and runs the periodic scans."""

import logging
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from lltp.core.queue import huey

_contexts = threading.local()


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Number of worker threads.")
@with_appcontext
def worker_command(workers):
    """Run the job queue's consumer in the foreground (one process; run it under systemd)."""
    app = current_app._get_current_object()

    # Each task runs inside its own app context, so it gets a fresh database session.
    @huey.pre_execute()
    def _push_context(task):
        _contexts.current = app.app_context()
        _contexts.current.push()

    @huey.post_execute()
    def _pop_context(task, task_value, exc):
        context = getattr(_contexts, "current", None)
        if context is not None:
            context.pop()
            _contexts.current = None

    # What the worker sends, and to whom, is what its operator watches (the development adapters only log).
    logging.getLogger("lltp").setLevel(logging.INFO)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    click.echo(f"Worker: {type(huey).__name__}, {workers} threads.")
    consumer.run()
