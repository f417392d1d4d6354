"""The officers' intake form: the counter, the post and agencies' requests."""

from lltp.intake.views import bp  # noqa: F401
