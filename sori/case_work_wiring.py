"""Case work's adapters, built by the composition root: the analytics classifier behind the case store's
``CategorySuggester`` port (loaded on a thread, so startup does not wait for it), and the notice that tells
the running desk of a callback an agent just scheduled."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.internet.threads import deferToThreadPool

from analytics.classify import Classifier
from analytics.pii import mask
from crm.api.deps import OfferedCaller
from crm.cases.suggestions import SuggestionsUnavailable
from crm.door.calls import CallbackTask

if TYPE_CHECKING:
    from sori.wiring import System
    from telephony.control.api import DeskRef

log = logging.getLogger("sori.case_work")
LOADING = "카테고리 추천 모델을 불러오는 중입니다. 잠시 후 다시 시도하세요"
NO_MODEL = "학습된 카테고리 추천 모델이 없습니다"


class ClassifierSuggester:
    """``CategorySuggester`` over an analytics ``Classifier``: masks the text first (the model only ever sees
    masked text, as in ingest), answers ``suggestions-unavailable`` until the model is loaded."""

    def __init__(self, load: Callable[[], Classifier | None]) -> None:
        self._load = load
        self._ready = threading.Event()
        self._classifier: Classifier | None = None

    @classmethod
    def of(cls, classifier: Classifier) -> ClassifierSuggester:
        """One already loaded (tests, tools)."""
        suggester = cls(lambda: classifier)
        suggester.load_now()
        return suggester

    def start(self) -> threading.Thread:
        """Load on a daemon thread; suggestions answer 503 until it is done."""
        thread = threading.Thread(target=self.load_now, name="sori-category-model", daemon=True)
        thread.start()
        return thread

    def load_now(self) -> None:
        try:
            classifier = self._load()
            if classifier is not None:
                classifier.suggest("모델 준비", 1)  # loads the tokenizer here, not in the first request
            self._classifier = classifier
        except Exception:
            log.exception("the category model could not be loaded: no suggestions")
        finally:
            self._ready.set()

    def suggest(self, text: str, k: int) -> list[tuple[str, float]]:
        if not self._ready.is_set():
            raise SuggestionsUnavailable(LOADING)
        if self._classifier is None:
            raise SuggestionsUnavailable(NO_MODEL)
        return self._classifier.suggest(mask(text).text, k)


def attach_suggestions(system: System) -> None:
    """The trained ``category`` model for the API's suggestions, loading in the background (a suggester set
    already, e.g. by a test, is kept)."""
    if system.suggester is not None:
        return
    from sori.analytics_cli import category_model  # deferred: the CLI module pulls in the analytics commands

    suggester = ClassifierSuggester(lambda: category_model(system.settings))
    suggester.start()
    system.suggester = suggester


def desk_callback_notice(ref: DeskRef) -> Callable[[int], None]:
    """Called on the reactor once a scheduled callback is committed: the running desk loads and places it
    (without a desk, it is loaded at the desk's next start like every pending callback)."""

    def notice(callback_id: int) -> None:
        desk = ref.desk
        if desk is None:
            return
        store: Any = desk.store
        d = deferToThreadPool(ref.reactor, ref.reactor.getThreadPool(), store.callback_task, callback_id)

        def place(task: CallbackTask | None) -> None:
            if task is not None and ref.desk is not None:
                ref.desk.callback_added(task)

        d.addCallback(place)
        d.addErrback(lambda f: log.error("callback %s not handed to the desk: %s", callback_id, f.getErrorMessage()))

    return notice


def desk_offers(ref: DeskRef) -> Callable[[str], OfferedCaller | None]:
    """The call the running desk rings at an agent's phone now (None: no desk, or nothing rings), for the
    console's screen-pop while it rings; read from a database thread over a snapshot of the desk's calls."""

    def offered(login: str) -> OfferedCaller | None:
        desk = ref.desk
        found = desk.offered_caller(login) if desk is not None else None
        return OfferedCaller(**found) if found is not None else None

    return offered
