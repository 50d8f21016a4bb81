from . import res_config_settings
from . import sales_process_training_course
from . import sales_process_training_session
from . import sales_process_training_record
from . import sales_process_training_matrix
