"""Flow files: the shipped flows load, and every kind of mistake is reported with file, step and problem."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from telephony.ivr import model as m
from telephony.ivr.errors import FlowProblem, IvrFlowInvalid
from telephony.ivr.loader import load_flow, load_flows, shipped_flows_dir

SEED = Path(__file__).resolve().parents[3] / "sori" / "seed" / "centers.csv"

MINIMAL = """
[flow]
start = "main"
fallback = "agent"
recording_notice = "통화 내용이 녹음됩니다."

[hours]
closed = "지금은 상담 시간이 아닙니다."
holiday = "오늘은 공휴일입니다."
goodbye = "감사합니다."

[steps.main]
type = "menu"
prompt = "상담원 연결은 0번을 눌러 주십시오."
choices = [{ key = "0", goto = "agent" }]

[steps.agent]
type = "queue"
skill = "general"
"""


def center_codes() -> list[str]:
    with SEED.open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def problems_of(tmp_path: Path, text: str, name: str = "ACRC110.toml", **known: object) -> list[FlowProblem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IvrFlowInvalid) as caught:
        load_flow(path, **known)
    assert caught.value.code == "ivr-flow-invalid"
    assert all(p.file == name for p in caught.value.problems)
    return caught.value.problems


def only(problems: list[FlowProblem], step: str, fragment: str) -> None:
    assert any(p.step == step and fragment in p.problem for p in problems), problems


# --- shipped flows -------------------------------------------------------------------------------------------


def test_all_shipped_flows_load_against_the_seed_centers() -> None:
    flows = load_flows(shipped_flows_dir(), known_centers=center_codes())
    assert {"ACRC110", "NTS126", "SEOUL120"} <= set(flows.centers)
    assert flows.default.kind is m.FlowKind.DEFAULT
    shared = flows.for_shared_number("120")
    assert shared is not None and shared.kind is m.FlowKind.SHARED
    assert flows.for_center("MOEL1350") is flows.default
    assert flows.for_center("NTS126").name == "NTS126"


def test_every_shipped_center_flow_has_korean_prompts() -> None:
    flows = load_flows(shipped_flows_dir())
    for flow in [*flows.centers.values(), flows.default]:
        assert flow.recording_notice is not None and "녹음" in flow.recording_notice.text
        assert flow.hours is not None and flow.continue_case is not None and flow.wait is not None


def test_minimal_flow_loads(tmp_path: Path) -> None:
    path = tmp_path / "ACRC110.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    flow = load_flow(path)
    assert flow.start == "main" and isinstance(flow.steps["agent"], m.QueueStep)


# --- one test per kind of problem ----------------------------------------------------------------------------


def test_unknown_step_reference(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        '{ key = "0", goto = "agent" }', '{ key = "0", goto = "agent" }, { key = "1", goto = "nowhere" }'
    )
    only(problems_of(tmp_path, text), "step 'main'", "key '1' refers to unknown step 'nowhere'")


def test_unknown_start_step(tmp_path: Path) -> None:
    only(problems_of(tmp_path, MINIMAL.replace('start = "main"', 'start = "mian"')), "[flow]", "unknown step 'mian'")


def test_unreachable_step(tmp_path: Path) -> None:
    text = MINIMAL + '\n[steps.orphan]\ntype = "hangup"\nprompt = "안녕히 계십시오."\n'
    only(problems_of(tmp_path, text), "step 'orphan'", "unreachable")


def test_duplicate_dtmf_key(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        '{ key = "0", goto = "agent" }', '{ key = "0", goto = "agent" }, { key = "0", goto = "main" }'
    )
    only(problems_of(tmp_path, text), "step 'main'", "duplicate DTMF key '0'")


@pytest.mark.parametrize("key", ["A", "10", "", "①"])
def test_key_outside_dtmf_alphabet(tmp_path: Path, key: str) -> None:
    text = MINIMAL.replace(
        '{ key = "0", goto = "agent" }', f'{{ key = "0", goto = "agent" }}, {{ key = "{key}", goto = "agent" }}'
    )
    only(problems_of(tmp_path, text), "step 'main'", "is not one of 0-9, * or #")


def test_missing_prompt(tmp_path: Path) -> None:
    text = MINIMAL.replace('prompt = "상담원 연결은 0번을 눌러 주십시오."\n', "")
    only(problems_of(tmp_path, text), "step 'main'", "missing prompt")


def test_missing_recording_notice(tmp_path: Path) -> None:
    text = MINIMAL.replace('recording_notice = "통화 내용이 녹음됩니다."\n', "")
    only(problems_of(tmp_path, text), "[flow]", "missing prompt: give 'recording_notice'")


def test_missing_hours_section(tmp_path: Path) -> None:
    text = MINIMAL.split("[hours]")[0] + MINIMAL.split('goodbye = "감사합니다."\n')[1]
    only(problems_of(tmp_path, text), "[hours]", "section is missing")


def test_loop_without_exit(tmp_path: Path) -> None:
    text = MINIMAL + (
        '\n[steps.a]\ntype = "menu"\nprompt = "에이"\nchoices = [{ key = "1", goto = "b" }]\non_exhausted = "b"\n'
        '\n[steps.b]\ntype = "menu"\nprompt = "비"\nchoices = [{ key = "1", goto = "a" }]\non_exhausted = "a"\n'
    )
    text = text.replace(
        'choices = [{ key = "0", goto = "agent" }]',
        'choices = [{ key = "0", goto = "agent" }, { key = "1", goto = "a" }]',
    )
    problems = problems_of(tmp_path, text)
    only(problems, "step 'a'", "loop without exit")
    only(problems, "step 'b'", "loop without exit")


def test_bad_skill_format(tmp_path: Path) -> None:
    only(
        problems_of(tmp_path, MINIMAL.replace('skill = "general"', 'skill = "General Tax!"')),
        "step 'agent'",
        "not a skill name",
    )


def test_unknown_skill(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, MINIMAL, known_skills={"ACRC110": ["sinmungo"]})
    only(problems, "step 'agent'", "unknown skill 'general' for center ACRC110")


def test_unknown_transfer_center(tmp_path: Path) -> None:
    text = MINIMAL.replace('goto = "agent" }]', 'goto = "agent" }, { key = "5", goto = "away" }]')
    text += '\n[steps.away]\ntype = "transfer"\ncenter = "NOPE999"\n'
    only(problems_of(tmp_path, text, known_centers=["ACRC110"]), "step 'away'", "unknown center 'NOPE999'")


def test_transfer_to_step_and_queue_at_once(tmp_path: Path) -> None:
    text = MINIMAL.replace('goto = "agent" }]', 'goto = "agent" }, { key = "5", goto = "away" }]')
    text += '\n[steps.away]\ntype = "transfer"\ncenter = "NTS126"\nstep = "main"\nqueue = "general"\n'
    only(problems_of(tmp_path, text), "step 'away'", "not both")


def test_missing_prompt_file(tmp_path: Path) -> None:
    text = MINIMAL.replace('prompt = "상담원 연결은 0번을 눌러 주십시오."', 'prompt_file = "prompts/main.wav"')
    only(problems_of(tmp_path, text), "step 'main'", "prompt file 'prompts/main.wav' does not exist")


def test_existing_prompt_file_is_used(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "main.wav").write_bytes(b"RIFF")
    path = tmp_path / "ACRC110.toml"
    path.write_text(
        MINIMAL.replace('prompt = "상담원 연결은 0번을 눌러 주십시오."', 'prompt_file = "prompts/main.wav"'),
        encoding="utf-8",
    )
    step = load_flow(path).steps["main"]
    assert isinstance(step, m.MenuStep) and step.prompt.file == (tmp_path / "prompts" / "main.wav").resolve()


def test_invalid_toml(tmp_path: Path) -> None:
    only(problems_of(tmp_path, MINIMAL + "\n[steps.main\n"), "[file]", "not valid TOML")


def test_bad_file_name(tmp_path: Path) -> None:
    only(problems_of(tmp_path, MINIMAL, name="acrc.toml"), "[file]", "file name must be a center code")


def test_unknown_step_type(tmp_path: Path) -> None:
    only(
        problems_of(tmp_path, MINIMAL.replace('type = "queue"', 'type = "queueue"')),
        "step 'agent'",
        "unknown step type",
    )


def test_unknown_setting_catches_typos(tmp_path: Path) -> None:
    only(
        problems_of(tmp_path, MINIMAL.replace('skill = "general"', 'skill = "general"\nprority = 3')),
        "step 'agent'",
        "unknown setting 'prority'",
    )


def test_fallback_must_end_the_ivr(tmp_path: Path) -> None:
    only(
        problems_of(tmp_path, MINIMAL.replace('fallback = "agent"', 'fallback = "main"')),
        "[flow]",
        "must be a queue, transfer or hangup",
    )


def test_bad_numbers(tmp_path: Path) -> None:
    text = MINIMAL.replace('skill = "general"', 'skill = "general"\npriority = 12').replace(
        'type = "menu"', 'type = "menu"\nmax_retries = -1'
    )
    problems = problems_of(tmp_path, text)
    only(problems, "step 'agent'", "'priority' must be a whole number from 0 to 9")
    only(problems, "step 'main'", "'max_retries' must be a whole number")


def test_directory_collects_every_problem_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "ACRC110.toml").write_text(MINIMAL.replace('start = "main"', 'start = "x"'), encoding="utf-8")
    (tmp_path / "NTS126.toml").write_text(MINIMAL.replace('skill = "general"', 'skill = "!"'), encoding="utf-8")
    with pytest.raises(IvrFlowInvalid) as caught:
        load_flows(tmp_path)
    files = {p.file for p in caught.value.problems}
    assert files == {"ACRC110.toml", "NTS126.toml"}
    assert "ACRC110.toml: [flow]: 'start' refers to unknown step 'x'" in caught.value.message
    assert caught.value.details["problems"] == [str(p) for p in caught.value.problems]


def test_directory_without_default_flow(tmp_path: Path) -> None:
    (tmp_path / "ACRC110.toml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(IvrFlowInvalid) as caught:
        load_flows(tmp_path)
    assert "no default.toml" in caught.value.message
