"""The issuing authority's board and the case page."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
