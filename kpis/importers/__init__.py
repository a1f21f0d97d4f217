"""The one validation and write path for KPI data, whatever brings it: a CSV upload, the
REST bulk endpoint or the management command.

An import is all or nothing. Inside one transaction every row is checked (`kpis.rows`) and
staged in the database; file-wide checks (duplicate ids, unknown agents, numbers that would
count twice) run as SQL on the staged rows; only a file with no problem at all is written,
as upserts on each row's natural key, so the same row sent twice updates instead of
duplicating. A rejected file writes nothing but its list of problems. A worker that dies
mid-import leaves the database as it was, and the batch can be run again.

The modules, in the order an import goes through them:
- `batches`: the batch's life (claimed, run in one transaction, succeeded/rejected/failed);
- `reading`: where rows come from (a CSV stream through the batch's mapping, or JSON);
- `staging`: each checked row staged with the keys the checks and writers need;
- `checks`, `overlaps`: the file-wide checks, as SQL on the staged rows;
- `interactions`, `aggregates`, `roster`: writing each kind;
- `importer`: the `Importer` that runs these stages over `state.ImportRun`;
- `progress`: how far a running import has got, for the progress bar.
"""

from __future__ import annotations

from kpis.importers.batches import import_batch_file, import_records, import_stream
from kpis.importers.importer import Importer
from kpis.importers.progress import progress_get, progress_set
from kpis.importers.staging import aggregate_counts

__all__ = [
    "Importer",
    "aggregate_counts",
    "import_batch_file",
    "import_records",
    "import_stream",
    "progress_get",
    "progress_set",
]
