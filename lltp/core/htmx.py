"""All htmx header handling lives here: one helper renders a whole page or just the swapped block."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block

POLL_HEADER = "X-LLTP-Poll"


def is_htmx():
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def is_poll():
    """A background refresh: it must not count as the officer being active."""
    return is_htmx() and request.headers.get(POLL_HEADER) == "1"


def render_page(template, block=None, **context):
    """The named block for an htmx request, the full page otherwise; varies on HX-Request either way."""
    if block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response
