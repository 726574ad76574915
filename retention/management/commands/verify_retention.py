"""Proves that nothing unheld is kept past its retention period (beyond the two
hours of lateness allowed) and that purges are succeeding."""

from django.db import transaction

from audits.events import EventType, Outcome
from audits.trail import record
from flockgov.commands import EXIT_OK, EXIT_REJECTED, FlockgovCommand
from retention.verify import check_purge_overdue, verify


class Command(FlockgovCommand):
    help = "Check retention; ends with verified=<n> problems=<n>, exit 1 on problems."

    def handle(self, *args, **options) -> None:
        with self.acting(options) as actor:
            result = verify()
            check_purge_overdue()
            with transaction.atomic():
                record(
                    EventType.RETENTION_VERIFIED,
                    actor=actor,
                    outcome=Outcome.FAILED if result.problems else Outcome.SUCCESS,
                    summary=(
                        f"retention verified: {result.verified} checks passed, "
                        f"{len(result.problems)} problems"
                    ),
                    data={"verified": result.verified, "problems": result.problems},
                )
        for problem in result.problems:
            self.stderr.write(f"problem: {problem}")
        self.summary(verified=result.verified, problems=len(result.problems))
        self.finish(EXIT_REJECTED if result.problems else EXIT_OK)
