"""The judicial-record database: people, convictions, enforcement events, prosecutions and bans; imports,
candidate matching, and the expungement engine that decides what a certificate says."""
