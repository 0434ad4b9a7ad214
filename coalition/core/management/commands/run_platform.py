import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the background task worker together (the README's run command)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"])
        self.stdout.write(f"Task worker started (pid {worker.pid}). Coalition at http://{addr}/")
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=10)
