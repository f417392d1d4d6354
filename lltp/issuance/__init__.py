"""Issuance: the certificate drafted from a verified case, approved and signed, numbered, rendered as a
signed PDF, checked in public, and corrected or revoked in plain sight (domain §2, §10)."""
