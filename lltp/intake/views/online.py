"""The citizens' online form at /nop-ho-so."""

from lltp.intake.views import bp  # noqa: F401
