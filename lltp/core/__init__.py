"""The shared kernel: database base, errors, permissions, audit, htmx helpers and the working-day calendar.

It has no routes of its own and imports no other area.
"""
