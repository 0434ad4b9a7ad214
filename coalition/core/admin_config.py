from django.contrib.admin.apps import AdminConfig


class CoalitionAdminConfig(AdminConfig):
    """The admin site whose door is the access policy (coalition.core.admin_site)."""

    default_site = "coalition.core.admin_site.CoalitionAdminSite"
