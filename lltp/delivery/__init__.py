"""Delivery: returning results to the applicant (electronically, at the counter, by post) and telling them,
by e-mail and SMS, how their case goes (domain §4, §10, §11).

Importing the area registers its notifications on every case transition and apology, so that the
listeners do not depend on which page happened to be imported first.
"""

from lltp.delivery import notifications  # noqa: F401
