"""Speaker-independent evaluation: every test speaker unseen in training."""

from ._speaker import speaker_cv, speaker_cv_score

__all__ = ["speaker_cv", "speaker_cv_score"]
