from . import test_foundation
from . import test_tours
from . import test_customer_insight
from . import test_customer_insight_access
from . import test_customer_need_import
from . import test_insight_tour
from . import test_insight_gates
