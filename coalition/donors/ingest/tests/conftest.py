"""The donor-coordination fixtures (`coalition/donors/tests/conftest.py`) for the readers' and the importer's tests."""

from coalition.donors.tests.conftest import _countries, governments, member

__all__ = ["_countries", "governments", "member"]
