from . import test_foundation
from . import test_tours
from . import test_responsibility
