"""Errors raised by the feature builders."""


class FeatureError(Exception):
    """Base class for feature-builder errors."""


class NotFittedError(FeatureError):
    """``transform`` was called before ``fit``."""


class TaxonomyError(FeatureError):
    """The occupation taxonomy file is missing or malformed."""
