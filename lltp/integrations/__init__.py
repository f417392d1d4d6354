"""The outside world: `api/` serves the national systems' contract (contracts/intake-api.md) at /api/v1,
`callbacks` writes the contract's callbacks to the outbox, and `outbox/` delivers its email, SMS and
callbacks.

The API calls the areas' services; it never writes their models itself.
"""
