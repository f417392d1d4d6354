"""Verification: the questions the issuing authority sends to the police, courts, procuracies,
judgment-enforcement offices, communes and the population register, their boards, and the chasing of
late answers (domain §8)."""
