"""Sphinx configuration of skae's documentation.

Build (warnings are errors; the example gallery is executed):

    python -m pip install ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The pages open at docs/_build/html/index.html.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

# Set before TensorFlow or OpenMP start, in the examples the build runs:
# - quiet TensorFlow's C++ start-up logs;
# - let idle OpenMP threads sleep: t-SNE's spinning threads run several times slower
#   when another process shares the cores (measured: 43 s instead of 7 s on digits).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import skae  # noqa: E402

# -- Project ------------------------------------------------------------------------

project = "skae"
author = "the skae developers"
copyright = "the skae developers"
version = release = skae.__version__

# -- General ------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # [source] links beside each documented object, to its code in the build.
    "sphinx.ext.viewcode",
    # MathJax copied into the build, so that formulas render without a network too.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # Figures drawn by code when the pages are built (also with plot_gallery=0).
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
    "skae_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "**/sg_execution_times.rst"]
templates_path = ["_templates"]
# `name` in docstrings links to the object when Sphinx knows it, as in scikit-learn.
default_role = "obj"
pygments_style = "sphinx"

# -- API reference ------------------------------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"  # the numpydoc sections give the types
numpydoc_show_class_members = False  # autodoc lists the members
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Markdown -----------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# -- Figures in the pages ------------------------------------------------------------

# ``.. plot:: figures/NAME.py`` runs docs/figures/NAME.py and shows the figures it
# draws, then a link to the code (matplotlib's own template puts it above them).
plot_include_source = False
plot_html_show_source_link = True
plot_template = """
{{ source_code }}

.. only:: html

   {% for img in images %}
   .. figure:: {{ build_dir }}/{{ img.basename }}.{{ default_fmt }}
      {% for option in options -%}
      {{ option }}
      {% endfor %}
      {{ caption }}
   {% endfor %}

   {% if src_name %}
   :download:`The code that drew this figure <{{ build_dir }}/{{ src_name }}>`
   {% endif %}
"""
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.max_open_warning": 0}

# -- Example gallery ----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # The gallery's sections, in this order: one folder of docs/examples each, with
    # its GALLERY_HEADER.rst.
    "subsection_order": [
        "examples/getting_started",
        "examples/images",
        "examples/tabular",
        "examples/maps",
        "examples/generating",
        "examples/model_selection",
        "examples/scaling",
    ],
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skae",),
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "min_reported_time": 0,
    "show_memory": False,
    "matplotlib_animations": False,
}

# -- HTML ---------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_static_path = ["_static"]
html_css_files = ["skae.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # The persistence page's four-column table and the reducer table of "Choosing a
    # model" need the width of the page's outline.
    "secondary_sidebar_items": {
        "**": ["page-toc"],
        "persistence": [],
        "user_guide/choosing": [],
    },
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_context = {"default_mode": "light"}
# The page's outline names methods as "fit()", not "AutoencoderReducer.fit()", which
# the right-hand column clipped.
toc_object_entries_show_parents = "hide"
# No left sidebar where it would be empty, and on the example pages, so that code and
# wide tables get the width.
html_sidebars = {
    page: []
    for page in ("index", "install", "quickstart", "cli", "benchmarks", "changelog", "faq")
}
html_sidebars["auto_examples/*/plot_*"] = []

# -- Links to other projects ---------------------------------------------------------

# The build has no network, so the inventories are kept in docs/inventories: NumPy's
# as published (numpy/doc, 2.4), scikit-learn's written from the installed package by
# docs/inventories/make_sklearn_inventory.py. SKAE_DOCS_INTERSPHINX=online fetches the
# published ones instead. Keras' site has no Sphinx inventory; its names stay text.
extensions.append("sphinx.ext.intersphinx")
_online = os.environ.get("SKAE_DOCS_INTERSPHINX") == "online"
intersphinx_mapping = {
    name: (url, None if _online else str(DOCS / "inventories" / f"{name}.inv"))
    for name, url in {
        "numpy": "https://numpy.org/doc/stable",
        "sklearn": "https://scikit-learn.org/stable",
    }.items()
}
