"""Status: the public pages that only read. Today the certificate check at /kiem-tra, where the QR code of
a certificate leads (domain §10)."""
