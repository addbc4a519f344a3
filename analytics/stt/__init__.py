"""Post-call transcription: the ``SpeechToText`` port, Korean normalisation and CER for scoring and indexing.

The faster-whisper adapter (``analytics.stt.whisper.WhisperTranscriber``) and the model set-up
(``analytics.stt.models.setup_models``) import CTranslate2 and are imported on use, not from here.
"""

from analytics.stt.normalize import (
    CharErrors,
    cer,
    char_errors,
    corpus_cer,
    edit_distance,
    for_indexing,
    for_scoring,
    spell_numbers,
)
from analytics.stt.port import (
    Segment,
    SpeechModelUnavailable,
    SpeechToText,
    Transcript,
    TranscriptionFailed,
)

__all__ = [
    "CharErrors",
    "Segment",
    "SpeechModelUnavailable",
    "SpeechToText",
    "Transcript",
    "TranscriptionFailed",
    "cer",
    "char_errors",
    "corpus_cer",
    "edit_distance",
    "for_indexing",
    "for_scoring",
    "spell_numbers",
]
