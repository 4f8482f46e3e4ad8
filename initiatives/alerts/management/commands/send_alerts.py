from django.core.management.base import BaseCommand

from initiatives.alerts.sending import send_alerts


class Command(BaseCommand):
    help = (
        "Queue the e-mail alerts that are due (the deliver_emails worker sends them) and delete "
        "subscriptions left unconfirmed for 7 days. Run it from cron, e.g. every 10 minutes; "
        "several copies at once never alert a change twice."
    )

    def handle(self, *args, **options):
        report = send_alerts()
        self.stdout.write(
            f"Checked {report.checked} subscription(s), queued {report.queued} alert(s), "
            f"deleted {report.unconfirmed_deleted} unconfirmed subscription(s)."
        )
