"""Sending a certificate's or a decision's PDF under an ASCII name that headers can carry (pages under
/ho-so are never cached: see the app's security headers)."""

import re

from flask import make_response

from lltp.core.text import fold


def file_name(number):
    """A number as a download's name: ASCII only ("12/QĐ-CAT" -> "12-qd-cat")."""
    return re.sub(r"[^a-z0-9]+", "-", fold(number)).strip("-")


def pdf_download(data, name):
    """`data` as a PDF attachment named `<name>.pdf`."""
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
