"""The outbox's delivery: the email and SMS adapters, the attempt that takes one message and sends it, and
the Huey tasks that queue each new message and sweep up whatever a killed worker left (design §7)."""
