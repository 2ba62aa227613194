from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "โครงการ"

    def ready(self):
        from projects.caching import connect_signals

        connect_signals()
