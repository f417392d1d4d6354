"""Browser tests: Debian's headless Chromium driven by Playwright, against the app on a live local server.

The app runs on a database of its own (SQLite file, or PostgreSQL when DATABASE_URL says so), with CSRF
on, exactly as served. Never downloads a browser: it uses /usr/bin/chromium.
"""

import os
import threading
import time

import pytest
from werkzeug.serving import make_server

from lltp.core import database
from lltp.extensions import db
from tests.conftest import need_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options: Debian's Chromium, headless, with the flags this machine needs."""
    if not os.access(CHROMIUM, os.X_OK):
        need_server(f"{CHROMIUM} is not installed (Debian package chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(isolated_db):
    """The app on a real HTTP server in a thread; `live_server.url(path)` gives an absolute URL."""
    app = isolated_db(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.url = lambda path="/": base + path
    yield app
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    # A request still being served (a lazy chart image, say) holds a pooled connection: wait for it to be
    # given back before the database is disposed of and dropped, or it is left open and unreferenced.
    with app.app_context():
        pools = (db.engine.pool, database.reader().engine.pool)
    deadline = time.monotonic() + 10
    while any(pool.checkedout() for pool in pools) and time.monotonic() < deadline:
        time.sleep(0.05)
