"""Running the platform: the commands that start and watch its processes (`manage.py run_platform`, what `make run`
ends with). Above every app in the layer order, as it starts what they need (the library's index, the worker)."""
