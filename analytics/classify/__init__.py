"""Classification and routing of complaints and calls: train a text classifier on any labelled file,
evaluate it honestly (grouped, stratified k-fold cross-validation), save it with its metrics and a
fingerprint of its data, and suggest a category and the responsible agency for each new text.

    from analytics.classify import Classifier
    classifier = Classifier.load(model_dir, "category")
    classifier.route("코로나 재난지원금 지급 기준을 바꿔 주세요")  # [Suggestion(category, score, agency), …]
    case.suggested_category = classifier.suggested_category(text)

Modules: ``data`` (files → records, duplicate groups), ``model`` (the pipeline), ``cv`` (cross-validation
and metrics), ``store`` (save/load), ``routing`` (category → agency), ``classifier`` (``Classifier``),
``cli`` (``sori analytics train``).
"""

from analytics.classify.classifier import Classifier, Suggestion
from analytics.classify.cv import OTHER, Metrics, cross_validate
from analytics.classify.data import Dataset, Record, duplicate_groups, load
from analytics.classify.model import Doc, ModelConfig, TextModel, fit
from analytics.classify.routing import Agency, agency_for
from analytics.classify.store import ModelMismatch, ModelNotFound, fingerprint

__all__ = [
    "OTHER",
    "Agency",
    "Classifier",
    "Dataset",
    "Doc",
    "Metrics",
    "ModelConfig",
    "ModelMismatch",
    "ModelNotFound",
    "Record",
    "Suggestion",
    "TextModel",
    "agency_for",
    "cross_validate",
    "duplicate_groups",
    "fingerprint",
    "fit",
    "load",
]
