"""Accounts: agencies and their units, users and roles, login with lockout, the second factor, and the
administrator's pages for users, units and the audit log."""
