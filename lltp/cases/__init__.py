"""Cases: the Case aggregate and its workflow table, deadlines under the dated legal profiles, case codes,
and the issuing authority's board."""
