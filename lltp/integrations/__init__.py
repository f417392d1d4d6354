"""The outside world: `api/` serves the national systems' contract (contracts/intake-api.md) at /api/v1.

The outbox's delivery (callbacks, email and SMS adapters, and the tasks that send them) joins this package
with the callback issue. The API calls the areas' services; it never writes their models itself.
"""
