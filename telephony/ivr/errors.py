"""Errors of the IVR: invalid flow files, missing prompt tools, failed synthesis (an unavailable self-service
system raises its own error: ``integrations.errors.ServiceUnavailable``)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.errors import DomainError


@dataclass(frozen=True)
class FlowProblem:
    """One thing wrong with one flow file: which file, which step (or ``[section]``), what."""

    file: str
    step: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.step}: {self.problem}"


class IvrFlowInvalid(DomainError):
    """One or more flow files are invalid; ``problems`` lists every problem found, not just the first."""

    code = "ivr-flow-invalid"

    def __init__(self, problems: list[FlowProblem]) -> None:
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in IVR flows:\n{lines}", problems=[str(p) for p in problems])
        self.problems = problems


class PromptToolMissing(DomainError):
    """espeak-ng or sox is not installed: prompts cannot be synthesised."""

    code = "ivr-prompt-tool-missing"


class PromptSynthesisFailed(DomainError):
    """espeak-ng or sox ran but failed on a prompt."""

    code = "ivr-prompt-synthesis-failed"
