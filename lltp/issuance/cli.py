"""`flask certificates ...`: check a certificate PDF against its signatures and our records, and register
the signing keys (or make self-signed ones for the demo) from the shell."""

import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from lltp.accounts.models import User
from lltp.core.audit import Actor
from lltp.core.errors import DomainError, ValidationFailed
from lltp.extensions import db
from lltp.issuance import keys, signing
from lltp.issuance.models import SigningKeyKind

certificates_cli = AppGroup("certificates", help="Phiếu lý lịch tư pháp: kiểm tra chữ ký, khóa ký số.")

KIND_LABELS = {str(SigningKeyKind.APPROVER): "người phê duyệt", str(SigningKeyKind.SEAL): "con dấu cơ quan"}


def _yes_no(value):
    return "có" if value else "KHÔNG"


@certificates_cli.command("verify")
@click.argument("path", metavar="FILE.pdf", type=click.Path(exists=True, dir_okay=False))
def verify_command(path):
    """Check a PDF's two signatures and whether it is a certificate we issued; exit 1 unless all hold."""
    report = signing.verify_pdf(Path(path).read_bytes())
    if report["error"]:
        click.echo(report["error"])
    if not report["signatures"]:
        click.echo("Không có chữ ký số nào.")
    for number, signature in enumerate(report["signatures"], 1):
        kind = KIND_LABELS.get(signature["kind"], "khóa không được đăng ký")
        click.echo(f"Chữ ký {number} ({signature['field']}, {kind}): {signature['signer']}")
        click.echo(
            f"  nguyên vẹn: {_yes_no(signature['intact'])}; hợp lệ: {_yes_no(signature['valid'])}; "
            f"tin cậy: {_yes_no(signature['trusted'])} => {'ĐẠT' if signature['ok'] else 'KHÔNG ĐẠT'}"
        )
    if not report["signatures_ok"]:
        click.echo("Phiếu phải có chữ ký của người phê duyệt rồi đến con dấu của cơ quan, cả hai đều đạt.")
    certificate = report["certificate"]
    if certificate is None:
        click.echo(f"Không có phiếu nào đã cấp có đúng nội dung tệp này (SHA-256 {report['sha256']}).")
    else:
        click.echo(f"Đúng với Phiếu số {certificate['number']} đã lưu (trạng thái: {certificate['status']}).")
    click.echo("KẾT QUẢ: " + ("ĐẠT" if report["ok"] else "KHÔNG ĐẠT"))
    raise click.exceptions.Exit(0 if report["ok"] else 1)


@certificates_cli.command("register-key")
@click.option("--kind", required=True, type=click.Choice([k.value for k in SigningKeyKind]))
@click.option("--path", "key_path", required=True, help="Đường dẫn tuyệt đối của tệp PKCS#12 trên máy chủ.")
@click.option(
    "--password-env", required=True, metavar="VAR", help="Tên biến môi trường chứa mật khẩu của tệp."
)
@click.option("--user", "username", help="Tên đăng nhập của người phê duyệt (với --kind approver).")
@click.option("--label", required=True, help="Tên gọi của khóa.")
def register_key_command(kind, key_path, password_env, username, label):
    """Register a PKCS#12 file as an approver's signing key or as the authority's seal."""
    password = os.environ.get(password_env)
    if password is None:
        raise click.ClickException(f"Biến môi trường {password_env} chưa được đặt.")
    user = None
    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"Không có tài khoản {username}.")
    try:
        signing_key = keys.register_signing_key(
            kind=kind, path=key_path, password=password, user=user, label=label, actor=Actor.system("cli")
        )
    except ValidationFailed as failed:
        db.session.rollback()
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in failed.errors.items())) from failed
    db.session.commit()
    click.echo(
        f"Đã đăng ký khóa {signing_key.id}: {signing_key.subject}, hết hạn {signing_key.not_after:%d/%m/%Y}."
    )


@certificates_cli.command("demo-keys")
@click.argument("directory", type=click.Path(file_okay=False))
def demo_keys_command(directory):
    """Make and register self-signed EC P-256 keys for the demo: the seal and one per approver."""
    try:
        made = keys.make_demo_keys(
            directory, organisation=current_app.config["LLTP_AUTHORITY_NAME"], actor=Actor.system("cli")
        )
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from refused
    db.session.commit()
    for signing_key in made:
        click.echo(f"{KIND_LABELS[str(signing_key.kind)]}: {signing_key.path} ({signing_key.label})")
    if not made:
        click.echo("Mọi người phê duyệt và con dấu đều đã có khóa.")
