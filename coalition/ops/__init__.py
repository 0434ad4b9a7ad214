"""Running the platform: the commands that start and watch its processes (`manage.py run_platform`, what `make run`
ends with) and the scheduler of its periodic work (`schedule.py`, `manage.py run_scheduler`). Above every app in the
layer order, as it starts what they need (the library's index, the worker, each app's scheduled tasks)."""
