"""Intake: requests on every channel (counter, post, agencies, the online form, the national API), checked
by one validator, priced by the dated fee schedule, with payments, attachments, duplicate flags and the
one-stop papers."""
