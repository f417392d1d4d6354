"""The issuing authority's board and the case page."""

from lltp.cases.views import bp  # noqa: F401
