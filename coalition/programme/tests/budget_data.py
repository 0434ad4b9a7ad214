"""The data behind the page-budget tests: the demo coalition and 200 updates on the 2023 programme."""

from __future__ import annotations

import datetime as dt

from coalition.accounts.models import User
from coalition.core.policy import Classification
from coalition.demo.loader import DEMO_DOMAIN, load_demo
from coalition.programme.models import Activity, ProgressUpdate


def load_demo_with_two_hundred_updates() -> tuple[User, list[Activity]]:
    """Load the demo, then add 200 updates of every classification across the 2023 activities."""
    load_demo()
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    activities = list(Activity.objects.filter(objective__goal__programme__year=2023).order_by("code"))
    classifications = [Classification.PUBLIC, Classification.COALITION, Classification.MEMBERS]
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            activity=activities[n % len(activities)],
            narrative=f"Update {n}: a meeting was held and follow-up actions were agreed. " * 3,
            reported_on=dt.date(2023, 1, 1) + dt.timedelta(days=n),
            author=support,
            classification=classifications[n % 3],
        )
        for n in range(200)
    )
    return support, activities
