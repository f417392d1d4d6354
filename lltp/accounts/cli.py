"""`flask users ...`: create users from the shell, for the first administrator and for scripts."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lltp.accounts import services
from lltp.accounts.models import Role, Unit, UnitKind
from lltp.core.audit import Actor
from lltp.core.errors import ValidationFailed
from lltp.extensions import db


def _run(service, **fields):
    """Call a service as the command line, commit, and turn its field errors into a clean CLI error."""
    try:
        result = service(**fields, actor=Actor.system())
    except ValidationFailed as failed:
        db.session.rollback()
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in failed.errors.items())) from failed
    db.session.commit()
    return result


@click.group("users")
def users_cli():
    """Manage user accounts."""


@users_cli.command("create")
@click.argument("username")
@click.option("--full-name", required=True, help="Họ và tên.")
@click.option(
    "--unit", "unit_id", type=int, help="Mã số (id) đơn vị; mặc định là đơn vị cơ quan cấp Phiếu đầu tiên."
)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--email")
@click.option("--phone")
@click.password_option(help="Mật khẩu (được hỏi nếu không truyền vào).")
@with_appcontext
def create_user_command(username, full_name, unit_id, roles, email, phone, password):
    """Create a user. The password must meet the password rules."""
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
    else:
        unit = db.session.scalar(sa.select(Unit).where(Unit.kind == "issuing_authority").order_by(Unit.id))
    if unit is None:
        raise click.ClickException("Không tìm thấy đơn vị. Tạo đơn vị trước, hoặc chạy `flask demo load`.")
    user = _run(
        services.create_user,
        username=username,
        full_name=full_name,
        unit=unit,
        roles=roles,
        password=password,
        email=email,
        phone=phone,
    )
    click.echo(f"Đã tạo người dùng {user.username} (id {user.id}) tại {unit.name}.")


@click.group("units")
def units_cli():
    """Manage agencies' units (the first one, on a new installation, is the issuing authority's)."""


@units_cli.command("create")
@click.option(
    "--agency", "agency_name", required=True, help="Tên cơ quan, ví dụ: Công an Thành phố Hồ Chí Minh."
)
@click.option("--name", required=True, help="Tên đơn vị.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in UnitKind]))
@click.option("--admin-unit-code", help="Mã đơn vị hành chính (bắt buộc với UBND cấp xã).")
@click.option("--email")
@click.option("--phone")
@with_appcontext
def create_unit_command(agency_name, name, kind, admin_unit_code, email, phone):
    """Create a unit of an agency (the agency is created when new)."""
    unit = _run(
        services.create_unit,
        agency_name=agency_name,
        name=name,
        kind=kind,
        admin_unit_code=admin_unit_code,
        email=email,
        phone=phone,
    )
    click.echo(f"Đã tạo đơn vị {unit.name} (id {unit.id}) thuộc {unit.agency.name}.")
