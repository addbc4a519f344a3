"""The JSON nesting limit of request bodies (``kernel.http.json_depth``): brackets in strings do not count."""

from __future__ import annotations

import json

from kernel.http.json_depth import MAX_JSON_DEPTH, nesting_depth_over


def test_depth_counts_arrays_and_objects_but_not_brackets_in_strings() -> None:
    assert not nesting_depth_over(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert nesting_depth_over(b"[" * (MAX_JSON_DEPTH + 1))
    assert nesting_depth_over(b'{"a":' * (MAX_JSON_DEPTH + 1))
    tricky = json.dumps({"s": '[[[{{{"\\' * 1000, "t": ["]"] * 3, "u": [[{"v": "}"}]]}).encode()
    assert not nesting_depth_over(tricky, limit=4) and nesting_depth_over(tricky, limit=3)
    assert not nesting_depth_over(b"[]" * 100_000, limit=1), "wide is not deep"
