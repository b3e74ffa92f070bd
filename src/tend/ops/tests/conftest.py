import pytest

from .workers import Template


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """One database migrated by ``tend migrate``; sites that need an empty, migrated database
    start from a copy of it instead of migrating again."""
    template = Template(tmp_path_factory.mktemp("template"))
    yield template
    template.drop()
