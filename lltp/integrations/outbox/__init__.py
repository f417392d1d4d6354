"""The outbox's delivery: the email, SMS and callback adapters, the attempt that takes one message and
sends it (in order within its line, retried for the configured window), the Huey tasks that queue each new
message and sweep up whatever a killed worker left (design §7), and the administrator's page of the
messages given up."""
