"""Imports: upload, mapping, dry run, batched commit (resumable), revert, purge of kept files.

upload.py keeps the file and queues its inspection; mapping.py holds the presets and an import's
mapping; execute.py runs a dry run or a commit batch by batch; plan.py matches and writes one
batch; revert.py undoes an import and purges kept files. Callers import from here.
"""

from ..selectors import mapping_preset_get_for, mapping_presets_for
from .bulk import catch_up_pending, import_index_catch_up, import_index_resume
from .common import (
    MAKER_FIELDS,
    ImportStateError,
    Outcome,
    can_import,
    import_check_read,
    import_paused,
    import_queued,
)
from .execute import import_execute, import_mark_stopped
from .mapping import (
    import_set_mapping,
    mapping_preset_delete,
    mapping_preset_save,
    mapping_preset_update,
    preset_mapping,
)
from .revert import import_purge_files, import_revert
from .upload import import_inspect, import_refuse, import_upload, unknown_columns, upload_name

__all__ = [
    "import_paused",
    "import_queued",
    "MAKER_FIELDS",
    "ImportStateError",
    "Outcome",
    "can_import",
    "catch_up_pending",
    "import_index_catch_up",
    "import_index_resume",
    "import_check_read",
    "import_execute",
    "import_inspect",
    "import_refuse",
    "import_mark_stopped",
    "import_purge_files",
    "import_revert",
    "import_set_mapping",
    "import_upload",
    "mapping_preset_delete",
    "mapping_preset_get_for",
    "mapping_preset_save",
    "mapping_preset_update",
    "mapping_presets_for",
    "preset_mapping",
    "unknown_columns",
    "upload_name",
]
