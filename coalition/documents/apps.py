from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "coalition.documents"
    label = "documents"
    verbose_name = "Documents"
