"""Applying labeling functions: ``apply_lfs`` and the one-chunk engine it is built on.

>>> from wslib.apply import apply_lfs, compile_lfs, apply_chunk
"""

from wslib.apply.api import DEFAULT_CHUNK_SIZE, apply_lfs, input_rows
from wslib.apply.chunk import ChunkResult, CompiledLFs, apply_chunk, compile_lfs
from wslib.apply.errors import (LFApplyError, LFOutputError, LFTimeoutError, MissingColumnError,
                                WorkerDiedError)
from wslib.apply.parquet import StreamResult, apply_parquet, read_votes

__all__ = ["apply_lfs", "input_rows", "apply_chunk", "compile_lfs", "CompiledLFs", "ChunkResult",
           "DEFAULT_CHUNK_SIZE", "LFApplyError", "LFOutputError", "LFTimeoutError", "MissingColumnError",
           "WorkerDiedError", "apply_parquet", "StreamResult", "read_votes"]
