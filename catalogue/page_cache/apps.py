from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "catalogue.page_cache"
    label = "page_cache"
    verbose_name = "Page cache"
    default_auto_field = "django.db.models.BigAutoField"
