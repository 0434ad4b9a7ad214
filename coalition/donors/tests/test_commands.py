"""The operators' commands: importing a member's files by hand, and running overlap detection."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from coalition.donors.models import FundingActivity, Overlap
from coalition.donors.tests.conftest import IATI, funding, iati_file, needs_standard

pytestmark = [pytest.mark.django_db, needs_standard]


def test_import_reports_each_file_and_refuses_a_bad_one_without_stopping_the_others(member, tmp_path, capsys):
    nl = member("NL")
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(iati_file(funding("NL-1"), funding("NL-2")))
    bad.write_bytes(iati_file(funding("NL-3", country="QQ")))
    with pytest.raises(CommandError, match="1 of 2 files not imported"):
        call_command("donors_import", str(good), str(bad), member="NL", email=nl.email)
    out, err = capsys.readouterr()
    assert "good.xml: 2 activities — 2 created" in out
    assert "bad.xml: refused" in err and "QQ" in err
    assert set(FundingActivity.objects.values_list("identifier", flat=True)) == {"NL-1", "NL-2"}


@pytest.mark.realdata
def test_a_real_publisher_file_imports_from_the_command_and_detection_runs(member, capsys):
    nl = member("NL")
    path = IATI / "real-activities" / "NL-MFA-XM-DAC-7_13-activities_2.03.xml"
    call_command("donors_import", str(path), member="NL", email=nl.email)
    assert FundingActivity.objects.count() == 13
    call_command("donors_detect", now=True)
    assert "candidates" in capsys.readouterr().out
    assert not Overlap.objects.exists()  # one reporter: nothing to compare across donors


def test_unknown_member_or_account_is_an_error(member):
    nl = member("NL")
    with pytest.raises(CommandError, match="No government"):
        call_command("donors_import", "x.xml", member="ZZ", email=nl.email)
    with pytest.raises(CommandError, match="No account"):
        call_command("donors_import", "x.xml", member="NL", email="nobody@example.org")
