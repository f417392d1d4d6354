"""The administrator's deadline settings: the working-day calendar overrides and the legal profiles."""

from lltp.cases.views import bp  # noqa: F401
