"""The case page's intake panels: payment, fee proof, attachments, flags and the one-stop papers."""

from lltp.intake.views import bp  # noqa: F401
