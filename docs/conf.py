"""Sphinx configuration for skspeech's documentation."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SKSPEECH_EXAMPLE_SMALL", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import skspeech  # noqa: E402

project = "skspeech"
author = "the skspeech developers"
copyright = "2026, the skspeech developers"
release = version = skspeech.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
# Class pages (_templates/autosummary/class.rst) document skspeech's methods,
# inherited ones included (e.g. MFCC.fit from a private base), but not those
# scikit-learn or scikeras define (_skip_upstream_members): their docstrings
# link to labels in their own docs.
templates_path = ["_templates"]
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
autodoc_default_options = {"members": True, "inherited-members": True}

# Links to other projects' docs need their inventories from the internet; builds
# here are offline, so they are on only with SKSPEECH_DOCS_ONLINE=1.
intersphinx_mapping = {} if not os.environ.get("SKSPEECH_DOCS_ONLINE") else {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "keras": ("https://keras.io/", None),
}
intersphinx_timeout = 10


def _skip_upstream_members(app, what, name, obj, skip, options):
    """Leave out methods that scikit-learn or scikeras define and document.

    sklearn's generated ``set_*_request`` / ``get_metadata_routing`` and
    methods such as ``ClassifierMixin.score`` link to labels in sklearn's own
    docs, which offline builds cannot resolve.
    """
    if name == "get_metadata_routing" or (name.startswith("set_") and name.endswith("_request")):
        return True
    if getattr(obj, "__module__", None) and obj.__module__.split(".")[0] in {"sklearn",
                                                                              "scikeras"}:
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_upstream_members)

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": "/plot",
    "download_all_examples": False,
    "image_scrapers": ("matplotlib",),
}

html_theme = "pydata_sphinx_theme"
html_title = "skspeech"
exclude_patterns = ["_build"]
