"""WSGI entry point: `gunicorn wsgi:app`, and what `flask` finds when run from the checkout."""

from lltp import create_app

app = create_app()
