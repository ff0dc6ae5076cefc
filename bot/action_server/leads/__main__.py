"""The specialist's command line: python -m bot.action_server.leads list | show ID |
mark-contacted ID |
close ID | export --csv | resend."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from defusedcsv import csv

from bot.action_server.leads import service
from bot.action_server.leads.notify import WebhookConfig, deliver_due
from bot.action_server.leads.summary import summary_text


def spreadsheet_safe(value: Any) -> Any:
    """A cell no spreadsheet runs as a formula. defusedcsv quotes what starts with = + - @ | %
    (OWASP's CSV injection rule); a leading tab or carriage return, which OWASP lists too and
    some spreadsheets skip before reading a formula, gets the same quote here."""
    if isinstance(value, str) and value[:1] in ("\t", "\r"):
        return "'" + value
    return value


def write_csv(out: TextIO, rows: Iterable[Iterable[Any]]) -> None:
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])


CSV_COLUMNS = ["id", "reference", "status", "created_at", "channel", "name", "phone", "email",
               "method", "time", "outcome", "safety_flags", "topics"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server.leads")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="all leads, oldest first")
    listing.add_argument("--status", choices=["new", "contacted", "closed"])
    for name in ("show", "mark-contacted", "close"):
        commands.add_parser(name).add_argument("id", help="number or reference (L-...)")
    export = commands.add_parser("export", help="all leads as CSV on standard output")
    export.add_argument("--csv", action="store_true", required=True)
    commands.add_parser("resend", help="deliver every notification that is due now")
    args = parser.parse_args(argv)
    store = service.store()

    if args.command == "list":
        for lead in store.list(args.status):
            name = lead.contact.name or "-"
            print(f"{lead.id:>4}  {lead.reference}  {lead.status:<9}  "
                  f"{lead.created_at:%Y-%m-%d %H:%M}  {lead.channel:<8}  {name}  "
                  f"{', '.join(lead.outcome) or '-'}")  # fmt: skip
        return 0
    if args.command == "show":
        lead = store.get(args.id)
        if lead is None:
            print(f"No lead {args.id}.", file=sys.stderr)
            return 1
        print(summary_text(lead))
        return 0
    if args.command in {"mark-contacted", "close"}:
        status = "contacted" if args.command == "mark-contacted" else "closed"
        if not store.set_status(args.id, status):
            print(f"No lead {args.id}.", file=sys.stderr)
            return 1
        print(f"Lead {args.id} is now {status}.")
        return 0
    if args.command == "export":
        rows = [CSV_COLUMNS] + [
            [lead.id, lead.reference, lead.status, lead.created_at.isoformat(), lead.channel,
             lead.contact.name, lead.contact.phone, lead.contact.email, lead.contact.method,
             lead.contact.time, ";".join(lead.outcome), ";".join(lead.safety_flags),
             ";".join(lead.topics)]
            for lead in store.list()
        ]  # fmt: skip
        write_csv(sys.stdout, rows)
        return 0
    delivered, failed = deliver_due(store, WebhookConfig.from_env())
    print(f"Delivered {delivered}, failed {failed}, still pending {store.pending_count()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
