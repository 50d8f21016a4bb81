from . import test_foundation
from . import test_stage_standard
from . import test_stage_gates
from . import test_stage_history
from . import test_stage_security
from . import test_stage_performance
from . import test_tours
