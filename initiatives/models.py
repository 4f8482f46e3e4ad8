"""The catalogue's data: working groups, organizations, contacts and initiatives.

Integrity lives in the database (unique and check constraints), so a bad write fails whatever
path it takes: the admin, a seed load, or a shell.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from parler.models import TranslatableModel, TranslatedFields
from simple_history.models import HistoricalRecords

from . import names
from .codes import CODE_PATTERN, NUMBER_PATTERN, SUB_WORKING_GROUP_CODE_PATTERN
from .description import DescriptionBlock, description_blocks, excerpt
from .querysets import InitiativeQuerySet
from .search.document import folded, keywords_for, search_vector_expression


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Region(models.TextChoices):
    """A small curated list: the regions the source and the coalition's documents name."""

    GLOBAL = "global", _("Global")
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", _("Latin America and the Caribbean")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    SOUTHEAST_ASIA = "southeast_asia", _("South-East Asia")
    MIDDLE_EAST_NORTH_AFRICA = "mena", _("Middle East and North Africa")
    EUROPE = "europe", _("Europe")
    PACIFIC_ISLANDS = "pacific_islands", _("Pacific Islands")
    INDIAN_OCEAN = "indian_ocean", _("Indian Ocean")


class WorkingGroup(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=300, unique=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3), name="working_group_number_1_to_3"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="working_group_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the page's language (``names``), else in English."""
        return names.translated("working_groups", self.number) or self.name


class SubWorkingGroup(models.Model):
    code = models.CharField(max_length=3, unique=True, help_text="For example 1.1 or 3.3.")
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="sub_working_groups"
    )
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=SUB_WORKING_GROUP_CODE_PATTERN),
                name="sub_working_group_code_format",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="sub_working_group_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the page's language (``names``), else in English."""
        return names.translated("sub_working_groups", self.code) or self.name

    @property
    def code_prefix(self) -> str:
        """The two digits every initiative code of this group starts with ("1.2" -> "12")."""
        return self.code.replace(".", "")


class Organization(models.Model):
    """An implementing organization (the 15 listed at the end of the source page)."""

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, unique=True)
    website = models.URLField(blank=True)
    email = models.EmailField("contact e-mail", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["acronym"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="organization_name_not_empty"),
            models.CheckConstraint(condition=~Q(acronym=""), name="organization_acronym_not_empty"),
        ]

    def __str__(self):
        return self.acronym if self.acronym == self.name else f"{self.acronym} – {self.name}"

    @property
    def display_name(self) -> str:
        """The name with its acronym, once: "World Customs Organization (WCO)"."""
        return _with_acronym(self.name, self.acronym)

    @property
    def local_name(self) -> str:
        """The name in the page's language (``names``), else in English."""
        return names.translated("organizations", self.acronym) or self.name

    @property
    def local_acronym(self) -> str:
        return names.translated("organizations", self.acronym, "acronym") or self.acronym

    @property
    def local_display_name(self) -> str:
        return _with_acronym(self.local_name, self.local_acronym)


def _with_acronym(name: str, acronym: str) -> str:
    if acronym == name or f"({acronym})" in name:
        return name
    return f"{name} ({acronym})"


class Contact(models.Model):
    """A point of contact at an implementing organization."""

    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    email = models.EmailField("e-mail", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="contact_name_not_empty"),
        ]

    def __str__(self):
        return self.name


# Languages staff may translate an initiative into; English is the published record itself.
TRANSLATION_LANGUAGES = [
    ("fr", "French"),
    ("es", "Spanish"),
    ("ru", "Russian"),
    ("ar", "Arabic"),
    ("zh-hans", "Chinese (Simplified)"),
]


class Initiative(TranslatableModel):
    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[
            RegexValidator(
                CODE_PATTERN, "A code is four digits and an optional capital letter (2206A)."
            )
        ],
        help_text="Unique code: the printed number, plus a letter where a number is used twice "
        "(2206A).",
    )
    number = models.CharField(
        max_length=4,
        help_text="The number as printed in the source.",
        validators=[RegexValidator(NUMBER_PATTERN, "A number is four digits (2206).")],
    )
    sub_working_group = models.ForeignKey(
        SubWorkingGroup, on_delete=models.PROTECT, related_name="initiatives"
    )
    title = models.CharField(max_length=500)
    description = models.TextField(
        help_text="One paragraph per line; lines starting with “- ” or “• ” are bullets."
    )
    lead_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_initiatives",
        help_text="Leave empty when the source does not say who implements the initiative.",
    )
    partner_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="partner_initiatives"
    )
    attribution_evidence = models.TextField(
        blank=True,
        help_text="Why the lead and partner organizations are attributed: a short quote or rule.",
    )
    point_of_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="initiatives"
    )
    source_notes = models.JSONField(
        default=list,
        blank=True,
        help_text="Lines the source page printed under this entry that are page layout, "
        "not description (kept so nothing of the source is lost).",
    )
    is_published = models.BooleanField("published", default=True)
    # What the Coalition's own initiative pages carry; all optional, empty until staff know.
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    delivery_mode = models.CharField(max_length=20, choices=DeliveryMode.choices, blank=True)
    languages = models.CharField(
        "languages of delivery",
        max_length=200,
        blank=True,
        help_text="For example: English, Spanish.",
    )
    regions = ArrayField(
        models.CharField(max_length=40, choices=Region.choices),
        default=list,
        blank=True,
        help_text="Regions the initiative covers or is open to.",
    )
    eligible_countries = CountryField(
        multiple=True, blank=True, help_text="Countries that may take part, where limited."
    )
    participating_countries = CountryField(multiple=True, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    seed_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the seed record as last loaded; differs from the current "
        "content once staff edit the initiative.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What readers follow (feeds, alerts, "New", "Newest first"): set in ``save`` only when the
    # initiative is first published, or when what a reader sees of it changes; a re-save that
    # changes nothing they see (updated_at) does not move them.
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When it was first published in the catalogue; empty for the initiatives of "
        "the Coalition's page the catalogue started from.",
    )
    changed_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="When it was published, or its title, description or status last changed.",
    )
    search_keywords = models.TextField(
        blank=True,
        editable=False,
        help_text="Codes, group and organization names, kept in step by the application.",
    )
    search_vector = models.GeneratedField(
        expression=search_vector_expression(),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The title and description folded as the index folds them, for highlighting matches
    # (search.engine.with_headlines): folding them again at every search cost more than the
    # headlines themselves.
    folded_title = models.GeneratedField(
        expression=folded(F("title")), output_field=models.TextField(), db_persist=True
    )
    folded_description = models.GeneratedField(
        expression=folded(F("description")), output_field=models.TextField(), db_persist=True
    )

    # Translations written by staff (django-parler keeps them in their own table). The English
    # title and description above stay the record; a translation is shown only once reviewed.
    translations = TranslatedFields(
        translated_title=models.CharField("title", max_length=500, blank=True),
        translated_description=models.TextField(
            "description",
            blank=True,
            help_text="One paragraph per line, as in the English description.",
        ),
        reviewed=models.BooleanField(
            default=False,
            help_text="Checked by a second person against the English text. Only reviewed "
            "translations are published.",
        ),
        meta={"verbose_name": "translation"},
    )

    TRANSLATION_LANGUAGES = TRANSLATION_LANGUAGES
    objects = InitiativeQuerySet.as_manager()
    # Who changed what and when; the generated search columns are derived, not history.
    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "folded_title",
            "folded_description",
            "search_keywords",
            "seed_fingerprint",
            "published_at",
            "changed_at",
        ],
        m2m_fields=[partner_organizations],
    )

    class Meta:
        ordering = ["code"]
        indexes = [
            GinIndex(fields=["search_vector"], name="initiative_search_gin"),
            models.Index(fields=["sub_working_group", "code"], name="initiative_group_code"),
            models.Index(fields=["updated_at"], name="initiative_updated_at"),
            models.Index(fields=["changed_at"], name="initiative_changed_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=CODE_PATTERN), name="initiative_code_format"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=NUMBER_PATTERN), name="initiative_number_format"
            ),
            models.CheckConstraint(
                condition=Q(code__startswith=F("number")), name="initiative_code_extends_number"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="initiative_title_not_empty"),
            models.CheckConstraint(
                condition=Q(description__regex=r"\S"), name="initiative_description_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(lead_organization__isnull=True) | Q(attribution_evidence__regex=r"\S"),
                name="initiative_lead_has_evidence",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"

    # The fields whose change a reader is told about (feeds and e-mail alerts).
    FOLLOWED_FIELDS = ("title", "description", "status")
    _FOLLOWED_STATE = (*FOLLOWED_FIELDS, "is_published")

    @classmethod
    def from_db(cls, db, field_names, values):
        initiative = super().from_db(db, field_names, values)
        # As loaded, to tell in ``save`` what changed (Django's documented way).
        initiative._loaded = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if name in cls._FOLLOWED_STATE
        }
        return initiative

    def save(self, *args, **kwargs):
        self.search_keywords = keywords_for(self)
        stamped = self._stamp_reader_visible_changes()
        if kwargs.get("update_fields") is not None and stamped:
            kwargs["update_fields"] = {*kwargs["update_fields"], *stamped}
        super().save(*args, **kwargs)
        self._loaded = {name: getattr(self, name) for name in self._FOLLOWED_STATE}

    def _stamp_reader_visible_changes(self) -> list[str]:
        """Set ``published_at`` and ``changed_at`` for what this save changes that a reader
        sees; return the fields set."""
        now = timezone.now()
        if self._state.adding:
            # One instant for both, so a new initiative is never "updated" before it was
            # "published" (the field's default is taken when the object is built, not saved).
            self.changed_at = now
            if self.is_published and self.published_at is None:
                self.published_at = now
            return []
        loaded = getattr(self, "_loaded", {})
        newly_published = self.is_published and loaded.get("is_published") is False
        changed = any(
            name in loaded and loaded[name] != getattr(self, name) for name in self.FOLLOWED_FIELDS
        )
        stamped = []
        if newly_published and self.published_at is None:
            self.published_at = now
            stamped.append("published_at")
        if newly_published or changed:
            self.changed_at = now
            stamped.append("changed_at")
        return stamped

    def get_absolute_url(self):
        return reverse("initiatives:detail", kwargs={"code": self.code})

    @property
    def added_at(self):
        """When it came into the catalogue: first published, or for the founding list (which
        has no ``published_at``) when it was loaded."""
        # created_at is stamped a moment after changed_at in the same first save: never later.
        return self.published_at or min(self.created_at, self.changed_at)

    def clean(self):
        super().clean()
        if self.code and self.number and not self.code.startswith(self.number):
            raise ValidationError({"code": f"The code must start with its number {self.number}."})

    def refresh_search_keywords(self) -> None:
        """After partner organizations change (they are saved after the initiative)."""
        keywords = keywords_for(self)
        if keywords != self.search_keywords:
            self.search_keywords = keywords
            Initiative.objects.filter(pk=self.pk).update(search_keywords=keywords)

    @property
    def region_labels(self) -> list[str]:
        labels = dict(Region.choices)
        return [labels.get(region, region) for region in self.regions]

    def reviewed_translation(self, language: str):
        """The staff translation into ``language`` marked reviewed, or None (English, or none
        reviewed). Reads what ``InitiativeQuerySet.with_reviewed_translations`` fetched."""
        if language not in dict(TRANSLATION_LANGUAGES):
            return None
        fetched = getattr(self, "reviewed_translations", None)
        if fetched is None:
            fetched = self.translations.filter(language_code=language, reviewed=True)
        return next((t for t in fetched if t.language_code == language and t.reviewed), None)

    @property
    def shown_translation(self):
        """The reviewed translation a page in the active language shows, or None."""
        return self.reviewed_translation(get_language())

    @property
    def translated_excerpt(self) -> str:
        translation = self.shown_translation
        return excerpt(translation.translated_description) if translation else ""

    def description_blocks(self) -> list[DescriptionBlock]:
        return description_blocks(self.description)

    def excerpt(self) -> str:
        """The opening of the description that a result card shows."""
        return excerpt(self.description)
