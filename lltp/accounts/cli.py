"""`flask users|units|clients ...`: accounts from the shell, for the first administrator, the outside
systems of the intake API, and scripts."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lltp.accounts import services
from lltp.accounts.models import ApiClient, ApiClientKind, Role, Unit, UnitKind
from lltp.core.audit import Actor
from lltp.core.errors import DomainError, ValidationFailed
from lltp.extensions import db


def _run(service, *args, **fields):
    """Call a service as the command line, commit, and turn its refusals into a clean CLI error."""
    try:
        result = service(*args, **fields, actor=Actor.system())
    except ValidationFailed as failed:
        db.session.rollback()
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in failed.errors.items())) from failed
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
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


@click.group("clients")
def clients_cli():
    """Manage the outside systems that call the intake API (/api/v1)."""


@clients_cli.command("create")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice([k.value for k in ApiClientKind]))
@click.option("--callback-url", help="Địa chỉ nhận thông báo khi hồ sơ đổi bước (callback).")
@click.option(
    "--unit",
    "unit_id",
    type=int,
    help="Mã số (id) đơn vị mà hệ thống trả lời yêu cầu xác minh thay (bắt buộc với loại verifying_agency).",
)
@with_appcontext
def create_client_command(name, kind, callback_url, unit_id):
    """Create an API client and print its token and callback signing secret, once each."""
    unit = None
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            raise click.ClickException(f"Không có đơn vị mã số {unit_id}.")
    created = _run(services.create_api_client, name, kind=kind, callback_url=callback_url, unit=unit)
    client = created.client
    bound = f", đơn vị {unit.name}" if unit is not None else ""
    click.echo(f"Đã tạo hệ thống kết nối {client.name} (loại {client.kind}, id {client.id}{bound}).")
    click.echo("Lưu hai giá trị dưới đây ngay: chúng chỉ hiện một lần và không thể xem lại.")
    click.echo(f"API token: {created.token}")
    click.echo(f"Khóa ký callback: {created.callback_secret}")


@clients_cli.command("list")
@with_appcontext
def list_clients_command():
    """List the API clients (never their secrets)."""
    for client in db.session.scalars(sa.select(ApiClient).order_by(ApiClient.name)):
        state = "hoạt động" if client.is_active else f"đã thu hồi {client.revoked_at:%d/%m/%Y}"
        click.echo(f"{client.name}\t{client.kind}\t{state}\t{client.callback_url or '-'}")


@clients_cli.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_client_command(name):
    """Revoke an API client's token, for good."""
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.name == name))
    if client is None:
        raise click.ClickException(f"Không có hệ thống kết nối tên {name}.")
    _run(services.revoke_api_client, client)
    click.echo(f"Đã thu hồi quyền truy cập của {client.name}.")
