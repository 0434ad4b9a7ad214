from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "coalition.ops"
    label = "ops"
    verbose_name = "Running the platform"
