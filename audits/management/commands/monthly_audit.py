"""``manage.py monthly_audit --month YYYY-MM [--format pdf|csv] [--out PATH]``."""

from pathlib import Path

from audits import periods, reports, rules, services
from audits.events import EventType
from audits.models import AuditPeriod
from audits.trail import record
from flockgov.commands import EXIT_OK, FlockgovCommand, Unusable


class Command(FlockgovCommand):
    help = (
        "Runs the audit rules over a month (department time zone) and writes the "
        "report. A signed month is frozen: its figures are reported unchanged."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        parser.add_argument("--format", choices=["csv", "pdf"], default="csv")
        parser.add_argument("--out", metavar="PATH")

    def handle(self, *args, **options) -> None:
        try:
            start, end = periods.parse_month(options["month"])
        except periods.PeriodError as exc:
            raise Unusable(str(exc)) from exc
        out = options.get("out")
        if out and Path(out).is_dir():
            raise Unusable(f"{out} is a directory; give a file name")
        with self.acting(options) as actor:
            result = services.run_period(
                actor=actor, kind=AuditPeriod.Kind.MONTH, start=start, end=end
            )
            if out:
                data = reports.period_report(result.period, options["format"])
                Path(out).write_bytes(data)
                record(
                    EventType.AUDIT_REPORT_MADE,
                    actor=actor,
                    target=result.period,
                    summary=f"audit report {result.period.label} written",
                    data={"format": options["format"], "path": str(out)},
                )
        if result.frozen:
            self.stdout.write(
                f"{result.period} was signed off: figures are frozen, nothing changed"
            )
        names = list(rules.RULES) + [n for n in result.per_rule if n not in rules.RULES]
        for name in names:
            self.stdout.write(f"rule={name} findings={result.per_rule.get(name, 0)}")
        self.summary(findings=result.total)
        self.finish(EXIT_OK)
