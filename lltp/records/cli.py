"""`flask records ...`: the judicial-record database from the shell (records contract)."""

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lltp.core import audit, clock
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.records import content
from lltp.records.models import Person, PersonIdNumber
from lltp.records.queries import surviving
from lltp.records.services import imports

records_cli = AppGroup("records", help="The judicial-record database: imports and certificate previews.")

NOT_FOUND = 2
SEVERAL_FOUND = 3


@records_cli.command("import")
@click.argument("path", metavar="FILE.jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--source",
    default=imports.DEFAULT_AGENCY,
    show_default=True,
    help="Cơ quan gửi, cho các dòng không có trường source_agency.",
)
def import_command(path, source):
    """Import a JSON Lines file of records-contract documents: all of it, or nothing and every bad line."""
    try:
        with open(path, encoding="utf-8-sig") as lines:
            result = imports.import_file(lines, agency=source, actor=Actor.system("cli"), name=path)
    except imports.FileRejected as rejected:
        db.session.rollback()
        for error in rejected.line_errors:
            click.echo(str(error), err=True)
        click.echo(rejected.message, err=True)
        raise click.exceptions.Exit(1) from rejected
    except UnicodeDecodeError as error:
        db.session.rollback()
        raise click.ClickException(f"Tệp không phải văn bản UTF-8 ({error.reason}).") from error
    db.session.commit()
    click.echo(f"Đã nhập {path}:")
    for kind in imports.KIND_ORDER:
        click.echo(
            f"  {imports.kind_label(kind)}: thêm {result.added[kind]}, bỏ qua {result.skipped[kind]} (đã có)"
        )
    if result.released:
        released = ", ".join(f"{imports.kind_label(kind)} {count}" for kind, count in result.released.items())
        click.echo(f"  Tài liệu đang chờ nay đã có tài liệu gốc và được áp dụng: {released}")


@records_cli.command("preview")
@click.option("--id-number", required=True, help="Số định danh, CCCD, CMND hoặc hộ chiếu (bất kỳ số nào).")
@click.option(
    "--type", "certificate_type", required=True, type=click.IntRange(1, 2), help="Phiếu số 1 hoặc 2."
)
@click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Ngày xem (YYYY-MM-DD); mặc định hôm nay."
)
@click.option("--with-bans", is_flag=True, help="Phiếu số 1: có phần cấm đảm nhiệm chức vụ.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON theo hợp đồng dữ liệu.")
def preview_command(id_number, certificate_type, as_of, with_bans, as_json):
    """Print what a certificate would say about a person on a date, without creating anything."""
    id_number = id_number.strip()
    actor = Actor.system("cli")
    people = _people_with_id_number(id_number)
    if not people:
        click.echo(f"Không tìm thấy người nào có số giấy tờ {id_number}.", err=True)
        raise click.exceptions.Exit(NOT_FOUND)
    if len(people) > 1:
        audit.record(
            "records.preview_candidates_listed",
            actor,
            object_type="person",
            details={"id_number": id_number, "person_ids": [p.id for p in people]},
        )
        db.session.commit()
        click.echo(f"Có {len(people)} người khác nhau mang số giấy tờ {id_number}:", err=True)
        for person in people:
            click.echo(_candidate_line(person), err=True)
        raise click.exceptions.Exit(SEVERAL_FOUND)
    person = people[0]
    as_of = as_of.date() if as_of else clock.today()
    composed = content.compose(person, certificate_type, as_of=as_of, with_bans=with_bans)
    audit.record(
        "records.previewed",
        actor,
        object_type="person",
        object_id=person.id,
        details={
            "id_number": id_number,
            "certificate_type": certificate_type,
            "as_of": as_of.isoformat(),
            "with_bans": with_bans,
        },
    )
    db.session.commit()
    if as_json:
        click.echo(json.dumps(composed.to_preview(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(composed.to_text()))


def _people_with_id_number(number):
    """The surviving people who have (or absorbed someone who had) this ID number, of any type."""
    found = db.session.scalars(
        sa.select(Person).join(PersonIdNumber).where(PersonIdNumber.number == number).order_by(Person.id)
    ).unique()
    return list({p.id: p for p in map(surviving, found)}.values())


def _candidate_line(person):
    born = content.birth_text(person)
    numbers = ", ".join(f"{n.type} {n.number}" for n in person.id_numbers)
    return f"  #{person.id}\t{person.full_name}\t{born or '?'}\t{person.place_of_birth or ''}\t{numbers}"
