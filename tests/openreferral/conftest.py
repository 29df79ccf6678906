import pytest

from directory.demo.services import demo_load
from tests.support import dates


@pytest.fixture
def demo(db):
    """The Liverpool demo, its dates moved to the site's today."""
    return demo_load(today=dates.today(), password="demo-only-pw")
