"""Status: the public pages. The certificate check at /kiem-tra, where the QR code of a certificate leads
(domain §10); the case status at /tra-cuu, its embeddable widget and its JSON twin (domain §11); and the
applicant's own follow-up from it, each step proved by a one-time code."""
