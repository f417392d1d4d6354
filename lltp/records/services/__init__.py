"""Services of the record database: they change state, flush, and leave the commit to the caller."""
