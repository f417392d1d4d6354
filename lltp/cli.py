"""Registers each area's commands on the `flask` command."""


def register_cli(app):
    from lltp.accounts.cli import clients_cli, units_cli, users_cli
    from lltp.core.worker import worker_command
    from lltp.demo import demo_cli
    from lltp.intake import tasks  # noqa: F401  (registers its periodic jobs for `flask worker`)
    from lltp.integrations.outbox import tasks as outbox_tasks  # noqa: F401  (and queues committed messages)
    from lltp.issuance.cli import certificates_cli
    from lltp.records.cli import records_cli
    from lltp.reports import tasks as report_tasks  # noqa: F401  (keeps the reports' daily summary)
    from lltp.reports.cli import reports_cli
    from lltp.verification import tasks as verification_tasks  # noqa: F401  (its reminders and escalations)

    for command in (
        units_cli,
        users_cli,
        clients_cli,
        demo_cli,
        records_cli,
        certificates_cli,
        reports_cli,
        worker_command,
    ):
        app.cli.add_command(command)
