"""Figures for the staff data-quality dashboard, each with the admin list it comes from."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone, translation

from .alerts.describe import describe_search
from .alerts.models import Subscription
from .models import Initiative, Organization
from .registrations.models import Registration, RegistrationItem

REVIEW_AFTER_DAYS = 365


@dataclass
class Figure:
    label: str
    count: int
    url: str


@dataclass
class FollowedSearch:
    label: str
    confirmed: int
    pending: int
    url: str


@dataclass
class Bar:
    label: str
    count: int
    url: str
    height: float = 0.0
    x: float = 0.0
    y: float = 0.0


def review_cutoff(today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=REVIEW_AFTER_DAYS)


def _admin(model) -> str:
    """The admin list of a model."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def catalogue_figures() -> list[Figure]:
    initiatives = Initiative.objects.all()
    counts = initiatives.aggregate(
        no_contact=Count("pk", filter=Q(point_of_contact__isnull=True)),
        no_lead=Count("pk", filter=Q(lead_organization__isnull=True)),
        not_reviewed=Count(
            "pk", filter=Q(last_reviewed__isnull=True) | Q(last_reviewed__lt=review_cutoff())
        ),
        drafts=Count("pk", filter=Q(is_published=False)),
    )
    initiative_list = _admin(Initiative)
    return [
        Figure(
            "Initiatives with no point of contact",
            counts["no_contact"],
            f"{initiative_list}?contact=none",
        ),
        Figure(
            "Initiatives with no lead organization",
            counts["no_lead"],
            f"{initiative_list}?attribution=none",
        ),
        Figure(
            "Initiatives not reviewed for over 12 months",
            counts["not_reviewed"],
            f"{initiative_list}?review=overdue",
        ),
        Figure(
            "Unpublished initiatives (drafts)",
            counts["drafts"],
            f"{initiative_list}?is_published__exact=0",
        ),
        Figure(
            "Organizations without a contact e-mail",
            Organization.objects.filter(email="").count(),
            f"{_admin(Organization)}?email=missing",
        ),
    ]


def registrations_by(field: str, limit: int = 10):
    """Registrations counted per initiative / organization / country, most first."""
    registrations = _admin(Registration)
    if field == "initiative":
        rows = (
            RegistrationItem.objects.values(
                "initiative_id", "initiative__code", "initiative__title"
            )
            .annotate(n=Count("registration", distinct=True))
            .order_by("-n", "initiative__code")[:limit]
        )
        return [
            Figure(
                f"{row['initiative__code']} {row['initiative__title']}",
                row["n"],
                f"{registrations}?items__initiative__id__exact={row['initiative_id']}",
            )
            for row in rows
        ]
    if field == "organization":
        rows = (
            RegistrationItem.objects.exclude(initiative__lead_organization=None)
            .values("initiative__lead_organization__acronym")
            .annotate(n=Count("registration", distinct=True))
            .order_by("-n", "initiative__lead_organization__acronym")[:limit]
        )
        return [
            Figure(
                row["initiative__lead_organization__acronym"],
                row["n"],
                f"{registrations}?organization={row['initiative__lead_organization__acronym']}",
            )
            for row in rows
        ]
    rows = (
        Registration.objects.values("country")
        .annotate(n=Count("pk"))
        .order_by("-n", "country")[:limit]
    )
    from django_countries import countries

    return [
        Figure(
            countries.name(row["country"]) or row["country"],
            row["n"],
            f"{registrations}?country={row['country']}",
        )
        for row in rows
    ]


def registrations_per_month(months: int = 12, today: date | None = None) -> list[Bar]:
    """The last ``months`` calendar months, oldest first, empty months included."""
    today = today or timezone.localdate()
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    counted = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
        for row in Registration.objects.filter(submitted_at__date__gte=starts[0])
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    registrations = _admin(Registration)
    bars = [
        Bar(
            start.strftime("%b %Y"),
            counted.get(start, 0),
            f"{registrations}?submitted_at__year={start.year}&submitted_at__month={start.month}",
        )
        for start in starts
    ]
    highest = max((bar.count for bar in bars), default=0) or 1
    for position, bar in enumerate(bars):
        bar.height = round(120 * bar.count / highest, 1)
        bar.x = 40 + position * 50
        bar.y = 140 - bar.height
    return bars


def followed_searches(limit: int = 20) -> tuple[list[FollowedSearch], dict[str, int]]:
    """The searches e-mail alerts follow, most followed first (confirmed, then waiting for
    confirmation), in words; and the totals over every subscription."""
    subscriptions = Subscription.objects.order_by()
    counts = {
        "confirmed": Count("pk", filter=Q(confirmed_at__isnull=False)),
        "pending": Count("pk", filter=Q(confirmed_at__isnull=True)),
    }
    rows = (
        subscriptions.values("search")
        .annotate(**counts)
        .order_by("-confirmed", "-pending", "search")[:limit]
    )
    subscription_list = _admin(Subscription)
    with translation.override("en"):
        searches = [
            FollowedSearch(
                str(describe_search(row["search"])),
                row["confirmed"],
                row["pending"],
                f"{subscription_list}?{urlencode({'search': row['search']})}",
            )
            for row in rows
        ]
    totals = subscriptions.aggregate(**counts, searches=Count("search", distinct=True))
    return searches, totals
