"""`flask demo load`: a demo province with units, a user for every role, and cases in every stage."""

import click


@click.group("demo")
def demo_cli():
    """Demo data."""
