"""Keep each initiative's search keywords in step with the organizations and groups it names."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from .models import Initiative, Organization, SubWorkingGroup


@receiver(m2m_changed, sender=Initiative.partner_organizations.through)
def partners_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # organization.partner_initiatives.add(...)
        initiatives = Initiative.objects.filter(pk__in=pk_set or [])
        if action == "post_clear":
            initiatives = Initiative.objects.filter(search_keywords__contains=instance.acronym)
        for initiative in initiatives:
            initiative.refresh_search_keywords()
    else:
        instance.refresh_search_keywords()


@receiver(post_save, sender=Organization)
def organization_saved(sender, instance, created, **kwargs):
    if created:
        return
    related = Initiative.objects.filter(lead_organization=instance) | Initiative.objects.filter(
        partner_organizations=instance
    )
    related = related.distinct().select_related("sub_working_group", "lead_organization")
    for initiative in related.prefetch_related("partner_organizations"):
        initiative.refresh_search_keywords()


@receiver(post_save, sender=SubWorkingGroup)
def sub_working_group_saved(sender, instance, created, **kwargs):
    if created:
        return
    initiatives = instance.initiatives.select_related("lead_organization")
    for initiative in initiatives.prefetch_related("partner_organizations"):
        initiative.refresh_search_keywords()
