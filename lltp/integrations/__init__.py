"""The outside world: `api/` serves the national systems' contract (contracts/intake-api.md) at /api/v1,
and `outbox/` delivers the outbox's email and SMS (callbacks join it with the callback issue).

The API calls the areas' services; it never writes their models itself.
"""
