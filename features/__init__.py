"""Feature builders: each turns (participant, slot) pairs into a score part in [0, 1]."""

from features.base import FeatureBuilder, FeatureInput
from features.commute import Commute, haversine_km
from features.exceptions import FeatureError, NotFittedError, TaxonomyError
from features.language import LanguageSupport
from features.occupation import OccupationFit, load_taxonomy
from features.priority import PRIORITY_PARTS, Priority
from features.recruiting import Recruiting
from features.score import DEFAULT_WEIGHTS, ScoreModel, default_builders
from features.skills import SkillMatch, load_synonyms

__all__ = [
    "DEFAULT_WEIGHTS",
    "PRIORITY_PARTS",
    "Commute",
    "FeatureBuilder",
    "FeatureError",
    "FeatureInput",
    "LanguageSupport",
    "NotFittedError",
    "OccupationFit",
    "Priority",
    "Recruiting",
    "ScoreModel",
    "SkillMatch",
    "TaxonomyError",
    "default_builders",
    "haversine_km",
    "load_synonyms",
    "load_taxonomy",
]
