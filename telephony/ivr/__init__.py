"""IVR: per-center flows as TOML data, their validation, a pure interpreter, Korean phrases and prompt audio.

- ``model``: the flow data types; ``loader`` reads ``flows/*.toml`` and ``validate`` checks them.
- ``session``: ``IvrSession``, a pure state machine turning call events into media actions
  (``events`` and ``actions`` are its vocabulary).
- ``numbers`` and ``phrases``: Korean readings of amounts, dates, times, case numbers and waits.
- ``ports``: the self-service integration ports (bills, certificates) and in-memory adapters.
- ``prompts``: prompt audio (recorded files or espeak-ng + sox synthesis, cached as 8/16 kHz WAV).
"""
