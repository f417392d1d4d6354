"""Typed domain errors. Views render them as a Vietnamese message; the API as problem+json."""


class DomainError(Exception):
    """A rule of the domain refused the action. `message` is shown to the user as it is."""

    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class InvalidTransition(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    """Bad input. `errors` maps a field (a dotted path for nested input) to its Vietnamese message."""

    status_code = 422

    def __init__(self, errors, message="Dữ liệu chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu."):
        super().__init__(message)
        self.errors = dict(errors)
