from . import test_foundation
from . import test_tours
from . import test_training_record
from . import test_training_session
from . import test_training_cron
from . import test_training_security
from . import test_training_matrix
from . import test_training_tour
