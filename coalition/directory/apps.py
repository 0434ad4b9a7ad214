from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "coalition.directory"
    label = "directory"
    verbose_name = "Directory"
